import type { Kysely } from 'kysely';
import type { RecordKind } from '../../contracts/records.ts';
import { memberIdsOf } from '../../db/queries/member-features.ts';
import type { Schema } from '../../db/schema.ts';
import type { PreparedRecord } from '../../db/writers/write-records.ts';
import type { MemberEvent } from '../../domain/features/member-history.ts';
import { cachedEvaluationSetup, type EvaluationSetup } from './evaluation-setup.ts';
import { memberEventOf } from './member-events.ts';
import { reevaluateMembers } from './reevaluate-members.ts';

/** Kinds whose records change a member's features: members (join date) and the event kinds that feed them. */
const FEATURE_KINDS: ReadonlySet<RecordKind> = new Set([
  'members',
  'purchases',
  'points',
  'engagement',
  'surveys',
  'declarations',
]);

/**
 * Keeps features and memberships current as records are written: handed each chunk the record
 * writer has just stored (new records only: a duplicate changes nothing), it updates those members
 * in the same transaction, so an event and its effect on segments commit together or not at all.
 */
export class IngestUpkeep {
  private constructor(
    private readonly trx: Kysely<Schema>,
    private readonly setup: EvaluationSetup,
  ) {}

  /**
   * Loads the program's schemes and context once for the transaction (cached per `owner`, the
   * database handle), evaluating as of `asOf`: the program's fixed as-of date, else now.
   */
  static async start(
    owner: object,
    trx: Kysely<Schema>,
    programId: string,
    asOf: Date,
  ): Promise<IngestUpkeep> {
    return new IngestUpkeep(trx, await cachedEvaluationSetup(owner, trx, programId, asOf));
  }

  /** Updates the members touched by records just written (inserted, or members updated). */
  async afterWrite(kind: RecordKind, written: readonly PreparedRecord[]): Promise<void> {
    if (!FEATURE_KINDS.has(kind) || written.length === 0) return;
    const { programId } = this.setup;
    if (kind === 'members') {
      const ids = await memberIdsOf(
        this.trx,
        programId,
        written.map((r) => (r.record as { id: string }).id),
      );
      await reevaluateMembers(this.trx, this.setup, [...ids.values()], {
        cause: 'event',
        scores: 'incremental',
      });
      return;
    }
    const byExternal = new Map<string, MemberEvent[]>();
    for (const { record } of written) {
      const event = memberEventOf(kind, record);
      if (event === null) continue;
      const memberId = (record as { memberId: string }).memberId;
      const list = byExternal.get(memberId) ?? [];
      list.push(event);
      byExternal.set(memberId, list);
    }
    const ids = await memberIdsOf(this.trx, programId, [...byExternal.keys()]);
    const events = new Map<number, MemberEvent[]>();
    for (const [external, list] of byExternal) {
      const id = ids.get(external);
      if (id !== undefined) events.set(id, list);
    }
    await reevaluateMembers(this.trx, this.setup, [...events.keys()], {
      events,
      cause: 'event',
      scores: 'incremental',
    });
  }
}
