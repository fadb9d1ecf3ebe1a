import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.ts';

// The segment snapshot behind per-segment campaign reports (docs/measurement.md): when a launch
// assigns members to an arm, their memberships in every scheme are copied beside the decision, in
// the same transaction, by one INSERT ... SELECT. Kept apart from the launch so that the launch can
// change how it reads and decides its audience without touching measurement.

/** A decision as the snapshot needs it. */
export interface AssignedDecision {
  memberId: number;
  outcome: 'send' | 'deferred' | 'excluded' | 'holdout';
  excludedBy: string | null;
}

/**
 * Whether the decision put the member in an arm. Governance exclusions come before the arm is drawn
 * (ADR 0014), so those members are in neither arm; a member whose message failed to render was
 * already drawn into a variant and stays in it (intent to treat, ADR 0018).
 */
export function isAssigned(decision: Pick<AssignedDecision, 'outcome' | 'excludedBy'>): boolean {
  return decision.outcome !== 'excluded' || decision.excludedBy === 'render';
}

/**
 * Copies the assigned members' current segment memberships for the campaign. The first assignment
 * wins: a member already recorded for the campaign (an earlier step, or a re-run launch) is kept.
 */
export async function recordAssignmentSegments(
  db: Kysely<Schema>,
  {
    programId,
    campaign,
    decisions,
  }: { programId: string; campaign: string; decisions: readonly AssignedDecision[] },
): Promise<void> {
  const memberIds = decisions.filter(isAssigned).map((d) => d.memberId);
  if (memberIds.length === 0) return;
  // The "already recorded" check is a scalar subquery per member on purpose: written as NOT EXISTS
  // it becomes an anti-join, which the planner (with statistics from before the launch) ran as a
  // scan of every row the campaign had so far for each batch, slowing a 1M launch by seconds per batch.
  await sql`
    INSERT INTO campaign_assignment_segments (program_id, campaign, member_id, scheme, segment)
    SELECT s.program_id, ${campaign}, s.member_id, s.scheme, s.segment
    FROM unnest(${memberIds}::bigint[]) AS m(member_id)
    JOIN segment_memberships s ON s.program_id = ${programId} AND s.member_id = m.member_id
    WHERE (SELECT true FROM campaign_assignment_segments a
           WHERE a.program_id = ${programId} AND a.campaign = ${campaign} AND a.member_id = m.member_id
           LIMIT 1) IS NULL
    ON CONFLICT DO NOTHING`.execute(db);
}
