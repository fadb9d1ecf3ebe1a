import type { Kysely } from 'kysely';
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
  await db
    .insertInto('campaign_assignment_segments')
    .columns(['program_id', 'campaign', 'member_id', 'scheme', 'segment'])
    .expression((eb) =>
      eb
        .selectFrom('segment_memberships as s')
        .select((inner) => [
          's.program_id',
          inner.val(campaign).as('campaign'),
          's.member_id',
          's.scheme',
          's.segment',
        ])
        .where('s.program_id', '=', programId)
        .where('s.member_id', 'in', memberIds)
        .where((inner) =>
          inner.not(
            inner.exists(
              inner
                .selectFrom('campaign_assignment_segments as a')
                .select('a.member_id')
                .where('a.program_id', '=', programId)
                .where('a.campaign', '=', campaign)
                .whereRef('a.member_id', '=', 's.member_id'),
            ),
          ),
        ),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
