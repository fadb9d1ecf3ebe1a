import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram, internalId } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { launchCampaign } from './launch-campaign.ts';
import { isAssigned } from './record-assignment-segments.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const definition = {
  name: 'nudge',
  goal: 'redeem',
  audience: { segments: ['loyalty/points_savers'] },
  offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
  channels: ['email'],
  holdout: 0.5,
  variants: [{ name: 'a', messages: { email: { subject: 'Hi', body: 'Hello' } } }],
};

/** The members' memberships now, as "M1 scheme/segment". */
async function memberships(programId: string, members: readonly string[]) {
  const rows = await deps.db
    .selectFrom('segment_memberships as s')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 's.program_id').onRef('m.member_id', '=', 's.member_id'),
    )
    .select(['m.external_id', 's.scheme', 's.segment'])
    .where('s.program_id', '=', programId)
    .where('m.external_id', 'in', members)
    .orderBy('m.external_id')
    .orderBy('s.scheme')
    .orderBy('s.segment')
    .execute();
  return rows.map((r) => `${r.external_id} ${r.scheme}/${r.segment}`);
}

/** The campaign's recorded snapshots, as "M1 scheme/segment". */
async function snapshot(programId: string) {
  const { rows } = await sql<{ external_id: string; scheme: string; segment: string }>`
    SELECT m.external_id, u.scheme, u.segment
    FROM campaign_touches t
    JOIN campaign_snapshots s ON s.program_id = t.program_id AND s.id = t.snapshot_id
    JOIN members m ON m.program_id = t.program_id AND m.member_id = t.member_id
    CROSS JOIN LATERAL unnest(s.schemes, s.segments) AS u (scheme, segment)
    WHERE t.program_id = ${programId} AND t.campaign = 'nudge'
    ORDER BY m.external_id, u.scheme, u.segment`.execute(deps.db);
  return rows.map((r) => `${r.external_id} ${r.scheme}/${r.segment}`);
}

/** Members of the campaign with a snapshot recorded, empty or not. */
async function recorded(programId: string) {
  const { rows } = await sql<{ external_id: string }>`
    SELECT m.external_id FROM campaign_touches t
    JOIN members m ON m.program_id = t.program_id AND m.member_id = t.member_id
    WHERE t.program_id = ${programId} AND t.campaign = 'nudge' AND t.snapshot_id IS NOT NULL
    ORDER BY m.external_id`.execute(deps.db);
  return rows.map((r) => r.external_id);
}

describe('the segment snapshot at launch', () => {
  it('records the memberships of every member put in an arm, and of no member excluded before the draw', async () => {
    const programId = await campaignTestProgram(deps, [
      { id: 'M1', consent: ['email'], segments: ['loyalty/points_savers', 'rfm/champions'] },
      { id: 'M2', consent: ['email'], segments: ['loyalty/points_savers', 'lifecycle/active'] },
      { id: 'M3', consent: ['email'] },
      { id: 'M4', consent: ['email'] },
      { id: 'M5', segments: ['loyalty/points_savers', 'rfm/lost'] },
    ]);
    await createCampaign(deps, { programId, source: { value: definition } });
    await approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' });
    await launchCampaign(deps, { programId, name: 'nudge' });
    const decisions = await deps.db
      .selectFrom('campaign_decisions')
      .select(['member_id', 'outcome', 'excluded_by'])
      .where('program_id', '=', programId)
      .execute();
    expect(decisions).toHaveLength(5);
    // M5 has no consent: excluded before the draw, in neither arm; the others are holdout or sent.
    const m5 = await internalId(deps, programId, 'M5');
    expect(
      decisions
        .filter((d) => !isAssigned({ outcome: d.outcome, excludedBy: d.excluded_by }))
        .map((d) => d.member_id),
    ).toEqual([m5]);
    const taken = await snapshot(programId);
    expect(taken).toEqual(await memberships(programId, ['M1', 'M2', 'M3', 'M4']));
    expect(taken).toContain('M1 rfm/champions');
    expect(taken).toContain('M2 lifecycle/active');
    expect(taken.some((row) => row.startsWith('M5 '))).toBe(false);
    // M3 and M4 are in no segment: recorded with an empty snapshot, so a later step keeps it.
    expect(await recorded(programId)).toEqual(['M1', 'M2', 'M3', 'M4']);
  });

  it('keeps the first snapshot when a member changes segment and the launch runs again', async () => {
    const programId = await campaignTestProgram(deps, [{ id: 'M1', consent: ['email'] }]);
    await createCampaign(deps, { programId, source: { value: definition } });
    await approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' });
    await launchCampaign(deps, { programId, name: 'nudge' });
    const first = await snapshot(programId);
    expect(first).toContain('M1 loyalty/points_savers');
    const m1 = await internalId(deps, programId, 'M1');
    await deps.db
      .insertInto('segment_memberships')
      .values({
        program_id: programId,
        member_id: m1,
        scheme: 'rfm',
        segment: 'lost',
        since: new Date(),
        explanation: 'test',
      })
      .execute();
    await launchCampaign(deps, { programId, name: 'nudge' });
    expect(await snapshot(programId)).toEqual(first);
    expect(first).not.toContain('M1 rfm/lost');
  });

  it('counts a member whose message failed to render as assigned, and governance exclusions as not', () => {
    expect(isAssigned({ outcome: 'excluded', excludedBy: 'render' })).toBe(true);
    expect(isAssigned({ outcome: 'excluded', excludedBy: 'consent' })).toBe(false);
    expect(isAssigned({ outcome: 'holdout', excludedBy: 'holdout' })).toBe(true);
    expect(isAssigned({ outcome: 'deferred', excludedBy: null })).toBe(true);
  });
});
