import type { Kysely } from 'kysely';
import type { RecordKind } from '../../contracts/records.ts';
import { memberIdsOf } from '../../db/queries/member-features.ts';
import type { Schema } from '../../db/schema.ts';
import type { PreparedRecord } from '../../db/writers/write-records.ts';
import type { MemberEvent } from '../../domain/features/member-history.ts';
import { cachedEvaluationSetup, type EvaluationSetup } from './evaluation-setup.ts';
import { memberEventOf } from './member-events.ts';
import { type MemberChunk, reevaluateChunks } from './reevaluate-members.ts';

/** Kinds whose records change a member's features: members (join date) and the event kinds that feed them. */
const FEATURE_KINDS: ReadonlySet<RecordKind> = new Set([
  'members',
  'purchases',
  'points',
  'engagement',
  'surveys',
  'declarations',
]);

/** Events held before the touched members are evaluated, so memory stays bounded on large files. */
const MAX_PENDING_EVENTS = 50_000;
/** Members evaluated per statement group. */
const SETTLE_CHUNK = 5_000;

/**
 * Keeps features and memberships current as records are written: handed each chunk the record
 * writer has just stored (new records only: a duplicate changes nothing), it collects the touched
 * members and their new events, and `settle` evaluates each of them once, in the same transaction,
 * so an event and its effect on segments commit together or not at all. The record sink settles
 * when it is flushed; a member touched by several kinds or chunks of one transaction (a demo
 * batch, an import) is evaluated once rather than once per chunk.
 */
export class IngestUpkeep {
  /** New events by the member's external id; members written without events have an empty list. */
  private pending = new Map<string, MemberEvent[]>();
  private pendingEvents = 0;

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

  /** Notes the members touched by records just written (inserted, or members updated). */
  async afterWrite(kind: RecordKind, written: readonly PreparedRecord[]): Promise<void> {
    if (!FEATURE_KINDS.has(kind) || written.length === 0) return;
    for (const { record } of written) {
      if (kind === 'members') {
        const id = (record as { id: string }).id;
        if (!this.pending.has(id)) this.pending.set(id, []);
        continue;
      }
      const event = memberEventOf(kind, record);
      if (event === null) continue;
      const memberId = (record as { memberId: string }).memberId;
      const list = this.pending.get(memberId);
      if (list) list.push(event);
      else this.pending.set(memberId, [event]);
      this.pendingEvents++;
    }
    if (this.pendingEvents >= MAX_PENDING_EVENTS) await this.settle();
  }

  /** Evaluates every member touched since the last settle: their new events, then every scheme. */
  async settle(): Promise<void> {
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    this.pendingEvents = 0;
    const externals = [...pending.keys()];
    const chunks: MemberChunk[] = [];
    for (let i = 0; i < externals.length; i += SETTLE_CHUNK) {
      const chunk = externals.slice(i, i + SETTLE_CHUNK);
      chunks.push({
        load: async () => {
          const ids = await memberIdsOf(this.trx, this.setup.programId, chunk);
          const events = new Map<number, MemberEvent[]>();
          for (const external of chunk) {
            const id = ids.get(external);
            if (id !== undefined) events.set(id, pending.get(external) ?? []);
          }
          return {
            memberIds: [...events.keys()],
            options: { events, cause: 'event', scores: 'incremental' },
          };
        },
      });
    }
    await reevaluateChunks(this.trx, this.setup, chunks);
  }
}
