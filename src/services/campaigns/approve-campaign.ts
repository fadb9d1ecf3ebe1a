import type { CampaignView } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import { canMove } from '../../domain/campaigns/lifecycle.ts';
import type { Deps } from '../deps.ts';
import { campaignView, latestVersion, readGovernancePolicy, segmentFeatureLookup } from './campaign-store.ts';
import { recompileOrRefuse } from './compile-or-refuse.ts';

/**
 * Approves the latest version of a campaign, freezing its content. Only a draft can be approved,
 * and only if it still compiles under the program's current policy. An earlier version still
 * waiting or running is cancelled: the new version replaces it. Callers check the `manage` scope.
 */
export async function approveCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, name, approvedBy }: { programId: string; name: string; approvedBy: string },
): Promise<CampaignView> {
  const now = deps.clock();
  const policy = await readGovernancePolicy(deps.db, programId);
  const segments = await segmentFeatureLookup(deps.db, programId);
  return deps.db.transaction().execute(async (tx) => {
    const latest = await latestVersion(tx, programId, name, { forUpdate: true });
    if (!latest)
      throw new AppError('NOT_FOUND', `campaign "${name}" does not exist in program "${programId}"`);
    if (!canMove(latest.status, 'approved')) {
      throw new AppError(
        'INVALID_STATE',
        `campaign "${name}" version ${latest.version} is ${latest.status}; only a draft can be approved`,
      );
    }
    recompileOrRefuse(latest.definition as never, policy, segments);
    await tx
      .updateTable('campaigns')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .where('program_id', '=', programId)
      .where('name', '=', name)
      .where('version', '<', latest.version)
      .where('status', 'in', ['approved', 'scheduled', 'running'])
      .execute();
    const row = await tx
      .updateTable('campaigns')
      .set({ status: 'approved', approved_at: now, approved_by: approvedBy, updated_at: now })
      .where('program_id', '=', programId)
      .where('name', '=', name)
      .where('version', '=', latest.version)
      .returningAll()
      .executeTakeFirstOrThrow();
    return campaignView(row);
  });
}
