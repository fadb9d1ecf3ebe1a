import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { internSnapshots, snapshotOfKey } from '../../db/writers/campaign-snapshots.ts';
import { idsByKey } from './ids-by-key.ts';

// The segment snapshot behind per-segment campaign reports (docs/measurement.md): when a launch
// assigns members to an arm, their memberships in every scheme, read with the rest of the audience,
// are recorded with the decision, in the same transaction: each distinct snapshot is interned once
// in `campaign_snapshots` (src/db/writers/campaign-snapshots.ts) and the decision carries its id,
// which the decisions trigger folds into the member's touch (migration 0012). Kept apart from the
// launch so that the launch can change how it decides its audience without touching measurement.

/** A decision as the snapshot needs it. */
export interface AssignedDecision {
  outcome: 'send' | 'deferred' | 'excluded' | 'holdout';
  excludedBy: string | null;
  /** The member's memberships when the audience was read, as their `SNAPSHOT_KEY`. */
  snapshot?: string | undefined;
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
 * The snapshot id each decision records: its member's segments for a decision that put them in an
 * arm, else null. `known` holds snapshots interned before (a launch keeps them from page to page);
 * those it lacks are interned in the caller's transaction and returned as `added`, for the caller
 * to remember once that transaction has committed. A member in no segment records an empty snapshot.
 */
export async function assignmentSnapshotIds(
  db: Kysely<Schema>,
  programId: string,
  decisions: readonly AssignedDecision[],
  known: ReadonlyMap<string, number>,
): Promise<{ ids: (number | null)[]; added: Map<string, number> }> {
  const keys = decisions.map((decision) => {
    if (!isAssigned(decision)) return null;
    if (decision.snapshot === undefined)
      throw new Error('an assigned member was read without their segments');
    return decision.snapshot;
  });
  return idsByKey(keys, known, (missing) => internSnapshots(db, programId, missing.map(snapshotOfKey)));
}
