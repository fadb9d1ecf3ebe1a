import type { Kysely } from 'kysely';
import type { RecordKind, RecordOf } from '../../contracts/records.ts';
import type { Schema } from '../../db/schema.ts';
import { type PreparedRecord, type WriteStatus, writeRecords } from '../../db/writers/write-records.ts';
import { hashRecord } from './validate-record.ts';

/** Records buffered per kind before one statement writes them. */
export const DEFAULT_CHUNK_SIZE = 5_000;

/** Members and accounts are written before events, which refer to them. */
const STATE_KINDS: readonly RecordKind[] = ['accounts', 'members'];

export interface KindCounts {
  inserted: number;
  updated: number;
  duplicate: number;
}

/** What keeps derived state current: told of each chunk's written records, settled when the sink is flushed. */
export interface WriteFollower {
  /** Called with each chunk's records that were written (inserted, or a member or account updated). */
  afterWrite(kind: RecordKind, written: readonly PreparedRecord[]): Promise<void>;
  /** Called once every buffered record is written, before the caller commits. */
  settle(): Promise<void>;
}

export interface SinkProblem {
  ord: number;
  kind: RecordKind;
  status: Extract<WriteStatus, 'conflict' | 'unknown_member'>;
  id: string;
}

/**
 * Collects validated records of any kind inside one transaction and writes them in chunks,
 * state kinds first. Problems found by the database (an id reused with another payload, an
 * unknown member) are handed to `onProblem` with the caller's ordinal for the record.
 */
export class RecordSink {
  readonly counts = new Map<RecordKind, KindCounts>();
  private readonly buffers = new Map<RecordKind, Map<string, PreparedRecord>>();
  private buffered = 0;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly trx: Kysely<Schema>,
    private readonly programId: string,
    private readonly onProblem: (problem: SinkProblem) => void,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
    private readonly follower?: WriteFollower,
  ) {}

  /** Adds a record; returns a problem at once when the same id occurs earlier in the buffer with another payload. */
  async add<K extends RecordKind>(kind: K, ord: number, record: RecordOf[K]): Promise<void> {
    const hash = hashRecord(record, kind);
    const id = (record as { id: string }).id;
    let buffer = this.buffers.get(kind);
    if (!buffer) {
      buffer = new Map();
      this.buffers.set(kind, buffer);
    }
    const earlier = buffer.get(id);
    if (earlier) {
      // The same id twice before a flush: the database would see only one, so decide here.
      if (earlier.hash === hash) this.count(kind).duplicate++;
      else this.onProblem({ ord, kind, status: 'conflict', id });
      return;
    }
    buffer.set(id, { ord, record, hash });
    if (++this.buffered >= this.chunkSize) await this.startWrite();
  }

  /** Writes everything buffered, waits until every write has finished, and settles the follower. */
  async flush(): Promise<void> {
    await this.startWrite();
    await this.pending;
    await this.follower?.settle();
  }

  // Writes are pipelined: while the database runs one chunk's statement, the caller goes on parsing
  // and validating the next (on a server those run on different cores). At most one chunk is in
  // flight, so memory stays bounded. Statements on the transaction's one connection run in order,
  // so a chunk always sees the rows of the chunks before it.
  private async startWrite(): Promise<void> {
    await this.pending;
    const order = [...STATE_KINDS, ...[...this.buffers.keys()].filter((k) => !STATE_KINDS.includes(k))];
    const chunks: [RecordKind, PreparedRecord[]][] = [];
    for (const kind of order) {
      const buffer = this.buffers.get(kind);
      if (!buffer || buffer.size === 0) continue;
      chunks.push([kind, [...buffer.values()]]);
      buffer.clear();
    }
    this.buffered = 0;
    const write = this.write(chunks);
    // Marked handled now; the failure still surfaces when `pending` is awaited.
    write.catch(() => {});
    this.pending = write;
  }

  private async write(chunks: [RecordKind, PreparedRecord[]][]): Promise<void> {
    for (const [kind, records] of chunks) {
      const outcomes = await writeRecords(this.trx, this.programId, kind, records);
      const byOrd = new Map(records.map((r) => [r.ord, r]));
      const counts = this.count(kind);
      const written: PreparedRecord[] = [];
      for (const { ord, status } of outcomes) {
        if (status === 'conflict' || status === 'unknown_member') {
          const id = (byOrd.get(ord)?.record as { id: string } | undefined)?.id ?? '';
          this.onProblem({ ord, kind, status, id });
        } else {
          counts[status]++;
          const record = byOrd.get(ord);
          if (record && status !== 'duplicate') written.push(record);
        }
      }
      await this.follower?.afterWrite(kind, written);
    }
  }

  private count(kind: RecordKind): KindCounts {
    let counts = this.counts.get(kind);
    if (!counts) {
      counts = { inserted: 0, updated: 0, duplicate: 0 };
      this.counts.set(kind, counts);
    }
    return counts;
  }
}

/** The message a record gets for a problem the database found. */
export function describeSinkProblem(problem: SinkProblem): { path: string; message: string } {
  return problem.status === 'conflict'
    ? { path: 'id', message: `id "${problem.id}" was already used for a different ${problem.kind} record` }
    : { path: 'memberId', message: 'names a member this program does not have; load the member first' };
}
