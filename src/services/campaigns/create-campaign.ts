import type { CampaignView } from '../../contracts/campaigns.ts';
import { isFrozen } from '../../domain/campaigns/lifecycle.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import {
  campaignView,
  definitionHash,
  latestVersion,
  readGovernancePolicy,
  segmentFeatureLookup,
} from './campaign-store.ts';
import { compileOrRefuse, type DefinitionSource } from './compile-or-refuse.ts';

/** What saving a definition did: a new campaign, an edited draft, a new version of a frozen one, or nothing. */
export type CampaignChange = 'created' | 'updated' | 'new_version' | 'unchanged';

/**
 * Saves a campaign definition as a draft. A new name starts at version 1; the same name edits its
 * draft in place; a name whose latest version is approved (or later) gets a new draft version that
 * supersedes it, because approved content is frozen. The definition is parsed and compiled first:
 * nothing is stored unless every template compiles and renders in the sandbox.
 */
export async function createCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, source }: { programId: string; source: DefinitionSource },
): Promise<{ change: CampaignChange; campaign: CampaignView }> {
  await requireProgram(deps.db, programId);
  const policy = await readGovernancePolicy(deps.db, programId);
  const { definition } = compileOrRefuse(source, policy, await segmentFeatureLookup(deps.db, programId));
  const hash = definitionHash(definition);
  const now = deps.clock();

  return deps.db.transaction().execute(async (tx) => {
    const latest = await latestVersion(tx, programId, definition.name, { forUpdate: true });
    if (latest !== undefined && latest.definition_hash === hash && latest.status !== 'cancelled') {
      return { change: 'unchanged' as const, campaign: campaignView(latest) };
    }
    if (latest !== undefined && !isFrozen(latest.status)) {
      const row = await tx
        .updateTable('campaigns')
        .set({ definition, definition_hash: hash, updated_at: now })
        .where('program_id', '=', programId)
        .where('name', '=', latest.name)
        .where('version', '=', latest.version)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { change: 'updated' as const, campaign: campaignView(row) };
    }
    const row = await tx
      .insertInto('campaigns')
      .values({
        program_id: programId,
        name: definition.name,
        version: (latest?.version ?? 0) + 1,
        status: 'draft',
        definition,
        definition_hash: hash,
        created_at: now,
        updated_at: now,
        supersedes: latest?.version ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      change: latest === undefined ? ('created' as const) : ('new_version' as const),
      campaign: campaignView(row),
    };
  });
}
