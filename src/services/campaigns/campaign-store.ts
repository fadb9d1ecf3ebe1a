import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { CampaignDefinition, type CampaignView, GovernancePolicy } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import type { CampaignsTable, Schema } from '../../db/schema.ts';
import type { SegmentFeatures } from '../../domain/campaigns/compile-campaign.ts';
import { DEFAULT_GOVERNANCE_POLICY } from '../../domain/campaigns/default-policy.ts';
import { createSandbox } from '../../domain/campaigns/liquid-sandbox.ts';
import { ruleLeaves } from '../../domain/segments/rule-features.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';

// Helpers the campaign use-cases share: reading rows, shaping views, the program's policy, and the
// template sandbox (stateless, so one per process serves every request).

type Db = Kysely<Schema> | Transaction<Schema>;
type CampaignRow = CampaignsTable;

/** The Liquid sandbox every campaign use-case compiles and renders with. */
export const templateEngine = createSandbox();

/** A stable fingerprint of a parsed definition (keys come out of the schema in a fixed order). */
export function definitionHash(definition: CampaignDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex');
}

/** The row as the API and CLI show it. */
export function campaignView(row: CampaignRow): CampaignView {
  return {
    id: `${row.name}@${row.version}`,
    programId: row.program_id,
    name: row.name,
    version: row.version,
    status: row.status,
    definition: CampaignDefinition.parse(row.definition),
    createdAt: row.created_at.toISOString(),
    approvedAt: row.approved_at?.toISOString() ?? null,
    approvedBy: row.approved_by,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    supersedes: row.supersedes === null ? null : `${row.name}@${row.supersedes}`,
  };
}

/** The latest version of a campaign (locked for update inside a transaction when asked), or undefined. */
export async function latestVersion(
  db: Db,
  programId: string,
  name: string,
  options: { forUpdate?: boolean } = {},
): Promise<CampaignRow | undefined> {
  let query = db
    .selectFrom('campaigns')
    .selectAll()
    .where('program_id', '=', programId)
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .limit(1);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** One version, or the latest when none is named; NOT_FOUND names what is missing. */
export async function requireCampaign(
  db: Db,
  programId: string,
  name: string,
  version?: number,
): Promise<CampaignRow> {
  const row =
    version === undefined
      ? await latestVersion(db, programId, name)
      : await db
          .selectFrom('campaigns')
          .selectAll()
          .where('program_id', '=', programId)
          .where('name', '=', name)
          .where('version', '=', version)
          .executeTakeFirst();
  if (!row) {
    const what = version === undefined ? `campaign "${name}"` : `campaign "${name}" version ${version}`;
    throw new AppError('NOT_FOUND', `${what} does not exist in program "${programId}"`);
  }
  return row;
}

/** The program's send rules, or the defaults when it has set none. */
export async function readGovernancePolicy(db: Db, programId: string): Promise<GovernancePolicy> {
  const row = await db
    .selectFrom('campaign_policies')
    .select('policy')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  return row ? GovernancePolicy.parse(row.policy) : DEFAULT_GOVERNANCE_POLICY;
}

/** The features each of the program's segments reads, so the sensitive guard can see through segment references. */
export async function segmentFeatureLookup(db: Kysely<Schema>, programId: string): Promise<SegmentFeatures> {
  const schemes = (await loadProgramSchemes(db, programId)).forMember([]);
  const features = new Map<string, string[]>();
  for (const scheme of schemes) {
    for (const segment of scheme.segments) {
      features.set(`${scheme.name}/${segment.name}`, [
        ...new Set(ruleLeaves(segment.rule).map((leaf) => leaf.feature)),
      ]);
    }
  }
  return (ref) => features.get(`${ref.scheme}/${ref.segment}`);
}
