import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { recordSnapshots, SNAPSHOT_ORDER } from '../../db/writers/campaign-snapshots.ts';

// The segment snapshot behind per-segment campaign reports (docs/measurement.md): when a launch
// assigns members to an arm, their memberships in every scheme are recorded beside the decision, in
// the same transaction (src/db/writers/campaign-snapshots.ts). Kept apart from the launch so that the launch can
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
 * Records the assigned members' current segment memberships for the campaign. The first assignment
 * wins: a member already recorded for the campaign (an earlier step, or a re-run launch) is kept.
 * A member in no segment is recorded with an empty snapshot.
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
  await recordSnapshots(db, {
    programId,
    campaign,
    source: sql`
      SELECT m.member_id, x.schemes, x.segments
      FROM unnest(${memberIds}::bigint[]) AS m (member_id)
      CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(s.scheme ORDER BY ${SNAPSHOT_ORDER}), '{}') AS schemes,
               coalesce(array_agg(s.segment ORDER BY ${SNAPSHOT_ORDER}), '{}') AS segments
        FROM segment_memberships s WHERE s.program_id = ${programId} AND s.member_id = m.member_id
      ) x`,
  });
}
