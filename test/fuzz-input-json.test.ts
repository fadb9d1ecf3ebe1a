import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordProblem } from '../src/contracts/errors.ts';
import type { RecordKind } from '../src/contracts/records.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import {
  appErrorOf,
  BAD_DATES,
  encode,
  literal,
  MEGABYTE,
  openFuzzProgram,
  RUNS,
  validPurchase,
  validRows,
  withBad,
} from './fixtures/malformed-input.ts';

// Malformed NDJSON files and HTTP batch bodies, with the bad record at a random place among valid
// ones: every case must end in an AppError that names the record and its JSON path, and must leave
// the database exactly as it was.

const { deps, programId, counts, fileOf, importOf, close } = await openFuzzProgram();
afterAll(close);

/** A bad field of a JSON record (NDJSON line or batch item) and the JSON path the error must name. */
interface BadField {
  path: string;
  apply: (record: Record<string, unknown>) => void;
}

const set =
  (field: string, value: unknown) =>
  (record: Record<string, unknown>): void => {
    record[field] = value;
  };
const drop =
  (field: string) =>
  (record: Record<string, unknown>): void => {
    delete record[field];
    if (field === 'amount') delete record.items;
  };

const BAD_FIELDS: BadField[] = [
  ...BAD_DATES.map((date) => ({ path: 'occurredAt', apply: set('occurredAt', date) })),
  { path: 'occurredAt', apply: set('occurredAt', 20240101) },
  { path: 'occurredAt', apply: drop('occurredAt') },
  { path: 'memberId', apply: drop('memberId') },
  { path: 'id', apply: drop('id') },
  { path: 'id', apply: set('id', 12) },
  { path: 'id', apply: set('id', MEGABYTE) },
  { path: 'id', apply: set('id', 'p\ud800') },
  { path: 'id', apply: set('id', 'p\udc00q') },
  { path: 'memberId', apply: set('memberId', 'm\u0000') },
  { path: 'memberId', apply: set('memberId', 'nobody') },
  { path: 'amount', apply: drop('amount') },
  { path: 'amount', apply: set('amount', true) },
  { path: 'amount', apply: set('amount', 1e308) },
  { path: 'amount', apply: set('amount', 1.2345678901234568e29) },
  { path: 'amount', apply: set('amount', -0.5) },
  { path: 'amount', apply: set('amount', '1'.repeat(40)) },
  { path: 'kind', apply: set('kind', 5) },
  { path: 'refundOf', apply: set('refundOf', 'p1') },
  { path: 'items', apply: set('items', 'x') },
  {
    path: 'items',
    apply: set(
      'items',
      Array.from({ length: 1001 }, () => ({ sku: 'A', quantity: 1, unitPrice: '1' })),
    ),
  },
  { path: 'items[0].quantity', apply: set('items', [{ sku: 'A', quantity: 2 ** 53, unitPrice: '1' }]) },
  { path: 'items[0].unitPrice', apply: set('items', [{ sku: 'A', quantity: 1, unitPrice: {} }]) },
  { path: 'items[0].sku', apply: set('items', [{ sku: 'A\uFEFF', quantity: 1, unitPrice: '1' }]) },
  {
    path: 'items[0].colour',
    apply: set('items', [{ sku: 'A', quantity: 1, unitPrice: '1', colour: 'red' }]),
  },
  {
    path: 'items',
    apply: set(
      'items',
      [1, 2].map(() => ({ sku: 'A', quantity: 1, unitPrice: '99999999999999.9999' })),
    ),
  },
  { path: 'colour', apply: set('colour', 'red') },
];

describe('importing a malformed file with maxErrors 0', () => {
  it('refuses an NDJSON file with one bad field anywhere, naming its line and JSON path, and stores none of the other lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        validRows,
        validPurchase,
        fc.constantFrom(...BAD_FIELDS),
        fc.nat(),
        fc.boolean(),
        async (rows, base, bad, at, gzip) => {
          const badRecord = structuredClone(base);
          bad.apply(badRecord);
          const all = withBad(rows, badRecord, at);
          const line = all.indexOf(badRecord) + 1;
          const text = `${all.map((r) => JSON.stringify(r)).join('\n')}\n`;
          const before = await counts();
          const file = gzip ? fileOf('bad.ndjson.gz', gzipSync(encode(text))) : fileOf('bad.ndjson', text);
          const error = await appErrorOf(importOf(file));
          expect(error.code).toBe('INVALID_INPUT');
          expect(error.message).toMatch(new RegExp(`^row ${line}, column ${literal(bad.path)}: `));
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('ingesting a malformed batch', () => {
  it('refuses a batch with one bad record anywhere, naming its index and JSON path, and stores none of the others', async () => {
    await fc.assert(
      fc.asyncProperty(
        validRows,
        validPurchase,
        fc.constantFrom(...BAD_FIELDS),
        fc.nat(),
        async (rows, base, bad, at) => {
          const badRecord = structuredClone(base);
          bad.apply(badRecord);
          const records = withBad(rows, badRecord, at);
          const index = records.indexOf(badRecord);
          const before = await counts();
          const error = await appErrorOf(ingestBatch(deps, { programId, kind: 'purchases', records }));
          expect(error.code).toBe('INVALID_INPUT');
          const problems = (error.details as { problems: RecordProblem[] }).problems;
          expect(problems[0]).toMatchObject({ index, path: bad.path });
          expect(new Set(problems.map((p) => p.index))).toEqual(new Set([index]));
          expect(error.message).toContain(`record ${index}, ${bad.path}: `);
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a batch that reuses an id for another payload, naming the later record', async () => {
    await fc.assert(
      fc.asyncProperty(
        validRows.filter((r) => r.length > 0),
        fc.nat(),
        fc.nat(),
        async (rows, pick, at) => {
          const original = rows[pick % rows.length] as Record<string, unknown>;
          const clash = { ...original, occurredAt: '2014-06-01T00:00:00.000Z' };
          const records = [...rows, clash];
          const before = await counts();
          const error = await appErrorOf(
            ingestBatch(deps, {
              programId,
              kind: 'purchases',
              records: withBad(records.slice(0, -1), clash, at + rows.indexOf(original) + 1),
            }),
          );
          expect(error.code).toBe('ID_CONFLICT');
          expect(error.message).toContain(', id: ');
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses bad members, points and survey answers, naming the JSON path', async () => {
    const cases: [RecordKind, Record<string, unknown>, string][] = [
      ['members', { id: 'n1', attributes: { note: 'a\u0000b' } }, 'attributes.note'],
      ['members', { id: 'n1', attributes: { 'k\ud800': 1 } }, 'attributes.k\ud800'],
      ['members', { id: 'n1', attributes: { big: MEGABYTE } }, 'attributes.big'],
      ['members', { id: 'n1', birthday: '2023-02-29' }, 'birthday'],
      ['members', { id: 'n1', joinedAt: 'yesterday' }, 'joinedAt'],
      [
        'points',
        { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', type: 'earn', points: 1e12 },
        'points',
      ],
      [
        'points',
        { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', type: 'earn', points: '12abc' },
        'points',
      ],
      [
        'points',
        { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', type: 'redeem', points: -5 },
        'points',
      ],
      ['surveys', { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', kind: 'csat', score: 9 }, 'score'],
      ['surveys', { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', kind: 'nps', score: 11 }, 'score'],
      [
        'engagement',
        { id: 'x1', memberId: 'm1', occurredAt: '2024-01-01', kind: 'review', detail: MEGABYTE },
        'detail',
      ],
      [
        'consents',
        {
          id: 'x1',
          memberId: 'm1',
          occurredAt: '2024-01-01',
          channel: 'fax',
          purpose: 'marketing',
          status: 'granted',
        },
        'channel',
      ],
    ];
    for (const [kind, record, path] of cases) {
      const before = await counts();
      const error = await appErrorOf(ingestBatch(deps, { programId, kind, records: [record] }));
      expect(error.code, `${kind} ${path}`).toBe('INVALID_INPUT');
      expect((error.details as { problems: RecordProblem[] }).problems[0]).toMatchObject({ index: 0, path });
      expect(await counts()).toEqual(before);
    }
  });
});
