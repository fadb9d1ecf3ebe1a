import { randomUUID } from 'node:crypto';
import type { CampaignDefinitionInput } from '../../contracts/campaigns.ts';
import { CampaignDefinition } from '../../contracts/campaigns.ts';
import { recordSnapshots, snapshotsOf } from '../../db/writers/campaign-snapshots.ts';
import { internTrails } from '../../db/writers/decision-trails.ts';
import { definitionHash } from '../campaigns/campaign-store.ts';
import { createProgram } from '../create-program.ts';
import type { Deps } from '../deps.ts';
import { ingestBatch } from '../ingest-batch.ts';

// A measured program for report tests: members, purchases, redemptions and message events go in
// through the real ingest path; campaigns and their decisions are written as a launch writes them
// (launch itself is tested in services/campaigns), with the segment snapshot of migration 0006.

export interface TestDecision {
  campaign: string;
  member: string;
  /** A variant name, or 'holdout'. */
  arm: string;
  decidedAt: string;
  outcome?: 'send' | 'deferred' | 'excluded' | 'holdout';
  excludedBy?: string | null;
  /** "scheme/segment" memberships at assignment. */
  segments?: readonly string[];
}

export interface MeasuredProgramInput {
  members: readonly { id: string; joinedAt?: string }[];
  campaigns: readonly Partial<CampaignDefinitionInput>[];
  decisions: readonly TestDecision[];
  messageEvents?: readonly Record<string, unknown>[];
  purchases?: readonly Record<string, unknown>[];
  points?: readonly Record<string, unknown>[];
}

/** A valid campaign definition with the given fields laid over a one-variant email campaign. */
export function testCampaignDefinition(fields: Partial<CampaignDefinitionInput>): CampaignDefinition {
  return CampaignDefinition.parse({
    name: 'spring',
    goal: 'retain',
    audience: { segments: ['loyalty/vips'] },
    offer: { kind: 'bonus_points', value: 100, unitCost: '0' },
    channels: ['email'],
    variants: [{ name: 'a', messages: { email: { subject: 'Hello', body: 'Hi' } } }],
    ...fields,
  });
}

/** Creates the program and everything in it; returns the program id. */
export async function measuredProgram(deps: Deps, input: MeasuredProgramInput): Promise<string> {
  const programId = `rep-${randomUUID().slice(0, 12)}`;
  await createProgram(deps, { programId, currency: 'GBP' });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: input.members.map((m) => ({ id: m.id, joinedAt: m.joinedAt ?? '2024-01-01' })),
  });
  for (const [kind, records] of [
    ['message-events', input.messageEvents],
    ['purchases', input.purchases],
    ['points', input.points],
  ] as const) {
    if (records && records.length > 0) await ingestBatch(deps, { programId, kind, records: [...records] });
  }
  const ids = new Map(
    (
      await deps.db
        .selectFrom('members')
        .select(['member_id', 'external_id'])
        .where('program_id', '=', programId)
        .execute()
    ).map((r) => [r.external_id, r.member_id]),
  );
  const idOf = (member: string) => {
    const id = ids.get(member);
    if (id === undefined) throw new Error(`test member ${member} is not in the program`);
    return id;
  };
  const now = new Date('2024-05-01T00:00:00Z');
  for (const fields of input.campaigns) {
    const definition = testCampaignDefinition(fields);
    await deps.db
      .insertInto('campaigns')
      .values({
        program_id: programId,
        name: definition.name,
        version: 1,
        status: 'running',
        definition: JSON.stringify(definition),
        definition_hash: definitionHash(definition),
        created_at: now,
        updated_at: now,
        approved_at: now,
        approved_by: 'test',
      })
      .execute();
  }
  const [noRules] = await internTrails(deps.db, programId, ['[]']);
  for (let i = 0; i < input.decisions.length; i += 500) {
    const chunk = input.decisions.slice(i, i + 500);
    await deps.db
      .insertInto('campaign_decisions')
      .values(
        chunk.map((d) => ({
          program_id: programId,
          campaign: d.campaign,
          step: 'once',
          member_id: idOf(d.member),
          version: 1,
          arm: d.arm === 'holdout' ? ('holdout' as const) : ('treatment' as const),
          variant: d.arm === 'holdout' ? null : d.arm,
          outcome: d.outcome ?? (d.arm === 'holdout' ? 'holdout' : 'send'),
          excluded_by: d.excludedBy ?? (d.arm === 'holdout' ? 'holdout' : null),
          channel: 'email',
          send_at: new Date(d.decidedAt),
          trail_id: noRules as number,
          decided_at: new Date(d.decidedAt),
        })),
      )
      .execute();
    const byCampaign = new Map<string, { memberId: number; refs: [string, string][] }[]>();
    for (const d of chunk) {
      if (!d.segments || d.segments.length === 0) continue;
      const refs = d.segments.map((ref): [string, string] => {
        const [scheme = '', segment = ''] = ref.split('/');
        return [scheme, segment];
      });
      const list = byCampaign.get(d.campaign) ?? [];
      list.push({ memberId: idOf(d.member), refs });
      byCampaign.set(d.campaign, list);
    }
    for (const [campaign, snapshots] of byCampaign) {
      await recordSnapshots(deps.db, { programId, campaign, source: snapshotsOf(snapshots) });
    }
  }
  return programId;
}
