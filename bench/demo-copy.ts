// Bulk set-up for benchmarks at a million members: the demo program's members and events written
// with COPY (no validation, no feature upkeep), for a benchmark to then build member state with
// `refreshSegments({ rebuild: true })`. Consents and purchase items are left out: no feature or
// segment reads them. Payload hashes are placeholders, so re-sending one of these events through
// the API would be refused as an id conflict; benchmarks never do.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { purchaseTotals } from '../src/db/writers/table-specs.ts';
import { demoMember } from '../src/domain/demo/demo-member.ts';

const csv = (fields: (string | number | null | undefined)[]) =>
  `${fields
    .map((f) =>
      f === null || f === undefined
        ? ''
        : /[",\n]/.test(String(f))
          ? `"${String(f).replaceAll('"', '""')}"`
          : String(f),
    )
    .join(',')}\n`;

const TABLES = {
  members: 'members (program_id, external_id, joined_at, timezone, email, payload_hash)',
  purchases:
    'purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, refund_of, amount, merchandise_amount, currency, item_count)',
  points:
    'points (program_id, event_id, member_id, occurred_at, payload_hash, type, points, reason, reward, order_id)',
  engagement: 'engagement (program_id, event_id, member_id, occurred_at, payload_hash, kind, detail)',
  surveys: 'surveys (program_id, event_id, member_id, occurred_at, payload_hash, kind, score, comment)',
  declarations:
    'declarations (program_id, event_id, member_id, occurred_at, payload_hash, key, value, source)',
} as const;
type Table = keyof typeof TABLES;

async function* lines(file: string) {
  const { createReadStream } = await import('node:fs');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk.toString();
}

/** Loads `members` demo members (seed 42, generated at `now`) into `programId`; returns row counts. */
export async function copyDemoProgram(
  database: Database,
  programId: string,
  members: number,
  now: Date,
  progress: (text: string) => void,
): Promise<Record<Table, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'narrowcast-demo-copy-'));
  const counts = Object.fromEntries(Object.keys(TABLES).map((t) => [t, 0])) as Record<Table, number>;
  try {
    // Member ids are assigned in COPY order, so a member's id is its index plus a fixed shift.
    await database.copyCsv(
      TABLES.members,
      (async function* () {
        let batch = '';
        for (let index = 1; index <= members; index++) {
          const m = demoMember({ seed: 42, index, now }).member;
          batch += csv([programId, m.id, m.joinedAt, m.timezone, m.email, 'bench']);
          if (batch.length > 1 << 20) {
            yield batch;
            batch = '';
          }
        }
        if (batch) yield batch;
      })(),
    );
    counts.members = members;
    const { rows } = await sql<{
      min: string;
    }>`SELECT min(member_id) AS min FROM members WHERE program_id = ${programId}`.execute(database.db);
    const shift = Number(rows[0]?.min ?? 1) - 1;
    progress(`  members copied; generating events`);
    const streams = Object.fromEntries(
      (Object.keys(TABLES) as Table[])
        .filter((t) => t !== 'members')
        .map((t) => [t, createWriteStream(join(dir, `${t}.csv`))]),
    ) as unknown as Record<Exclude<Table, 'members'>, NodeJS.WritableStream>;
    const write = async (table: Exclude<Table, 'members'>, text: string) => {
      counts[table]++;
      if (!streams[table].write(text)) await new Promise((resolve) => streams[table].once('drain', resolve));
    };
    for (let index = 1; index <= members; index++) {
      const g = demoMember({ seed: 42, index, now });
      const id = index + shift;
      for (const p of g.purchases) {
        const t = purchaseTotals(p);
        await write(
          'purchases',
          csv([
            programId,
            p.id,
            id,
            p.occurredAt,
            'bench',
            p.kind,
            p.refundOf,
            t.amount,
            t.merchandise,
            p.currency ?? 'USD',
            p.items?.length ?? 0,
          ]),
        );
      }
      for (const p of g.points)
        await write(
          'points',
          csv([programId, p.id, id, p.occurredAt, 'bench', p.type, p.points, p.reason, p.reward, p.orderId]),
        );
      for (const e of g.engagement)
        await write('engagement', csv([programId, e.id, id, e.occurredAt, 'bench', e.kind, e.detail]));
      for (const s of g.surveys)
        await write('surveys', csv([programId, s.id, id, s.occurredAt, 'bench', s.kind, s.score, s.comment]));
      for (const d of g.declarations)
        await write(
          'declarations',
          csv([programId, d.id, id, d.occurredAt, 'bench', d.key, d.value, d.source]),
        );
      if (index % 100_000 === 0) progress(`  generated ${index.toLocaleString('en')} members' events`);
    }
    await Promise.all(
      Object.values(streams).map((s) => new Promise<void>((resolve) => s.end(() => resolve()))),
    );
    for (const table of Object.keys(streams) as Exclude<Table, 'members'>[]) {
      const started = performance.now();
      await database.copyCsv(TABLES[table], lines(join(dir, `${table}.csv`)));
      progress(
        `  copied ${counts[table].toLocaleString('en')} ${table} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    return counts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
