import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { requireProgram } from '../require-program.ts';
import { IngestUpkeep } from '../segments/ingest-upkeep.ts';

/** What one ingest job writes with: the group's transaction and its segment upkeep. */
export interface GroupContext {
  trx: Kysely<Schema>;
  /** Settled once, after every job of the group has written: each member is evaluated once. */
  upkeep: IngestUpkeep;
}

/** Writes one request's records; throws to refuse them (the group is then re-run job by job). */
export type IngestJob<R> = (context: GroupContext) => Promise<R>;

/** Records a group carries at most; a larger request commits on its own, beside the groups. */
export const GROUP_RECORDS = 1_000;
/** Groups of one program in flight at once by default: the database and evaluation overlap. */
export const DEFAULT_LANES = 2;

interface Queued {
  size: number;
  /** The clock of the request's caller: a group holds requests of one clock, evaluated as of it. */
  clock: () => Date;
  job: IngestJob<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit for small ingest requests of one program. Many small requests (one event each, at
 * a thousand a second) would each pay a transaction, the program and scheme look-ups and a segment
 * upkeep of their own; instead, requests that arrive while the program's lanes are busy wait, and
 * then commit together in the next free lane's one transaction, in the order they arrived, with the
 * upkeep settled once for all of them. Each request still gets its own result: jobs run one after
 * another on the transaction's connection, so a later job sees an earlier one's rows exactly as if
 * they had committed one by one (the same id twice is a duplicate, or a conflict).
 *
 * All or nothing holds per request: when any job of a group fails, the group's transaction rolls
 * back and each of its jobs is run again in a transaction of its own, so only the failing request
 * fails. A member touched by several requests of one group is evaluated once, with all their
 * events, as a batch request touching a member twice is.
 */
export class IngestGroups {
  private readonly queues = new Map<string, { waiting: Queued[]; lanes: number }>();

  /**
   * `lanes`: groups of one program in flight at once. One lane keeps every request in arrival
   * order; more let the database and the evaluation of members run side by side on several cores
   * (requests in flight together have no order between them, as without groups).
   */
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly lanes = DEFAULT_LANES,
  ) {}

  /** Runs `job` in a group of `programId`'s requests; `size` is its record count. */
  submit<R>(clock: () => Date, programId: string, size: number, job: IngestJob<R>): Promise<R> {
    if (size > GROUP_RECORDS) {
      return this.commit(clock, programId, [job as IngestJob<unknown>]).then((r) => r[0] as R);
    }
    return new Promise<R>((resolve, reject) => {
      const entry: Queued = { size, clock, job, resolve: resolve as (value: unknown) => void, reject };
      let queue = this.queues.get(programId);
      if (!queue) {
        queue = { waiting: [], lanes: 0 };
        this.queues.set(programId, queue);
      }
      queue.waiting.push(entry);
      if (queue.lanes < this.lanes) {
        queue.lanes++;
        void this.drain(programId, queue);
      }
    });
  }

  // A lane takes what waits, a group at a time, until nothing does.
  private async drain(programId: string, { waiting: queue }: { waiting: Queued[] }): Promise<void> {
    while (queue.length > 0) {
      const { clock } = queue[0] as Queued;
      let records = 0;
      let take = 0;
      for (const next of queue) {
        if (take > 0 && (next.clock !== clock || records + next.size > GROUP_RECORDS)) break;
        records += next.size;
        take++;
      }
      const group = queue.splice(0, take);
      await this.settleGroup(clock, programId, group);
    }
    const state = this.queues.get(programId);
    if (state && --state.lanes === 0) this.queues.delete(programId);
  }

  private async settleGroup(clock: () => Date, programId: string, group: readonly Queued[]): Promise<void> {
    try {
      const results = await this.commit(
        clock,
        programId,
        group.map((q) => q.job),
      );
      for (const [i, q] of group.entries()) q.resolve(results[i]);
      return;
    } catch (error) {
      if (group.length === 1) {
        (group[0] as Queued).reject(error);
        return;
      }
    }
    for (const q of group) {
      try {
        const [result] = await this.commit(clock, programId, [q.job]);
        q.resolve(result);
      } catch (error) {
        q.reject(error);
      }
    }
  }

  private commit(
    clock: () => Date,
    programId: string,
    jobs: readonly IngestJob<unknown>[],
  ): Promise<unknown[]> {
    const db = this.db;
    return db.transaction().execute(async (trx) => {
      const program = await requireProgram(trx, programId);
      const upkeep = await IngestUpkeep.start(db, trx, programId, program.as_of ?? clock());
      const results: unknown[] = [];
      for (const job of jobs) results.push(await job({ trx, upkeep }));
      await upkeep.settle();
      return results;
    });
  }
}

// One set of groups per database handle, as the evaluation set-up is cached per handle.
const GROUPS = new WeakMap<object, IngestGroups>();

/** The ingest groups of a database handle, made on first use. */
export function ingestGroupsOf(db: Kysely<Schema>): IngestGroups {
  let groups = GROUPS.get(db);
  if (!groups) {
    groups = new IngestGroups(db);
    GROUPS.set(db, groups);
  }
  return groups;
}
