import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type RecordProblem } from '../src/contracts/errors.ts';
import type { RecordKind } from '../src/contracts/records.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { importFile } from '../src/services/import-file.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

// Malformed files and batch bodies, with the bad row or record at a random place among valid
// ones: every case must end in an AppError that names where the problem is, and must leave the
// database exactly as it was.

const database = await openTestDatabase();
const deps: Deps = { db: database.db, clock: () => new Date('2024-06-01T00:00:00Z'), log: silentLog };
const programId = freshProgramId('fuzz');
const dir = mkdtempSync(join(tmpdir(), 'narrowcast-fuzz-'));
const MEMBER_IDS = ['m0', 'm1', 'm2', 'm3', 'm4'];
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const MEGABYTE = 'x'.repeat(1 << 20);
/** Stands for bytes that are not UTF-8 in a file; replaced after the text is encoded. */
const NOT_UTF8 = '@@NOT-UTF8@@';

beforeAll(async () => {
  await createProgram(deps, { programId, currency: 'GBP' });
  await ingestBatch(deps, { programId, kind: 'members', records: MEMBER_IDS.map((id) => ({ id })) });
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const TABLES = [
  'members',
  'purchases',
  'purchase_items',
  'points',
  'surveys',
  'engagement',
  'consents',
] as const;

/** Rows of every history table for the program: what "changes nothing" is checked against. */
async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    result[table] = Number(row.n);
  }
  return result;
}

/** The AppError a call ends in; anything else (a success, a raw database error) fails the test. */
async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw new Error(`expected an AppError, got ${(error as Error).stack ?? String(error)}`);
  }
  throw new Error('expected an AppError, but the input was accepted');
}

let fileNo = 0;
function fileOf(name: string, content: string | Buffer): string {
  const file = join(dir, `${++fileNo}-${name}`);
  writeFileSync(file, typeof content === 'string' ? encode(content) : content);
  return file;
}

/** UTF-8 bytes of the text, with each NOT_UTF8 marker replaced by bytes that are not UTF-8. */
function encode(text: string): Buffer {
  const parts = text.split(NOT_UTF8).map((part) => Buffer.from(part, 'utf8'));
  const bad = Buffer.from([0xff, 0xc3, 0x28]);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [bad, part])));
}

function importOf(file: string, kind: RecordKind = 'purchases') {
  return importFile(deps, { programId, kind, file, maxErrors: 0, rejectsPath: join(dir, 'rejects.csv') });
}

// ---- valid records --------------------------------------------------------------------------

let serial = 0;
const validPurchase = fc
  .record({
    memberId: fc.constantFrom(...MEMBER_IDS),
    at: fc.date({
      min: new Date('2015-01-01T00:00:00Z'),
      max: new Date('2025-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    cents: fc.integer({ min: 0, max: 10_000_000 }),
    items: fc.option(
      fc.array(
        fc.record({
          sku: fc.stringMatching(/^[A-Z0-9]{1,12}$/),
          quantity: fc.integer({ min: 1, max: 50 }),
          unitPrice: fc
            .integer({ min: 0, max: 99_999 })
            .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      { nil: undefined },
    ),
  })
  .map(({ memberId, at, cents, items }) => {
    const record: Record<string, unknown> = { id: `p${++serial}`, memberId, occurredAt: at.toISOString() };
    if (items) record.items = items;
    else record.amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    return record;
  });

const validRows = fc.array(validPurchase, { minLength: 0, maxLength: 25 });

// ---- bad values, one field each ---------------------------------------------------------------

/** A bad CSV cell of a purchases file and the column the error must name. */
interface BadCell {
  column: string;
  cell: string;
  path?: string;
}

const BAD_DATES = [
  '2024-02-30',
  '99999-01-01',
  'yesterday',
  '2024-13-01',
  '1899-12-31',
  '2024-01-01T25:00:00Z',
  '01/02/2024',
  '2024-01-01T10:00:00+99:00',
];

const BAD_PURCHASE_CELLS: BadCell[] = [
  ...BAD_DATES.map((cell) => ({ column: 'occurredAt', cell })),
  ...['abc', '1e5', '12.34567', '-5', '999999999999999', '１２', '0x10', 'NaN', 'Infinity'].map((cell) => ({
    column: 'amount',
    cell,
  })),
  { column: 'id', cell: MEGABYTE },
  { column: 'id', cell: ' p1' },
  { column: 'id', cell: `p${NOT_UTF8}1` },
  { column: 'id', cell: 'p\u00001' },
  { column: 'id', cell: 'p\uFEFF1' },
  { column: 'id', cell: 'p\u00071' },
  { column: 'memberId', cell: 'nobody' },
  { column: 'memberId', cell: `m${NOT_UTF8}` },
  { column: 'kind', cell: 'gift' },
  { column: 'currency', cell: 'pounds' },
  { column: 'items', cell: '[not json' },
  { column: 'items', cell: '{"sku":"A"}' },
  { column: 'items', cell: '[{"sku":"A","quantity":0,"unitPrice":"1"}]', path: 'items[0].quantity' },
  { column: 'items', cell: '[{"sku":"A","quantity":1.5,"unitPrice":"1"}]', path: 'items[0].quantity' },
  { column: 'items', cell: '[{"sku":"A","quantity":1,"unitPrice":"-1"}]', path: 'items[0].unitPrice' },
  {
    column: 'items',
    cell: '[{"sku":"A","quantity":1,"unitPrice":"1","colour":"red"}]',
    path: 'items[0].colour',
  },
  {
    column: 'items',
    cell: `[{"sku":"A","quantity":1,"unitPrice":"1","description":"${MEGABYTE}"}]`,
    path: 'items[0].description',
  },
  {
    column: 'items',
    cell: '[{"sku":"A","quantity":1000000,"unitPrice":"99999999999999.9999"}]',
    path: 'items[0].quantity',
  },
  {
    column: 'items',
    cell: '[{"sku":"A","quantity":"1","unitPrice":"1","merchandise":"maybe"}]',
    path: 'items[0].merchandise',
  },
  { column: 'items', cell: '[{"sku":"A\\u0000B","quantity":1,"unitPrice":"1"}]', path: 'items[0].sku' },
  { column: 'items', cell: '[{"sku":"A\\ud800","quantity":1,"unitPrice":"1"}]', path: 'items[0].sku' },
];

const PURCHASE_COLUMNS = ['id', 'memberId', 'occurredAt', 'kind', 'amount', 'currency', 'items'];

function csvRow(record: Record<string, unknown>): string[] {
  return PURCHASE_COLUMNS.map((column) => {
    const value = record[column];
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

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

function withBad<T>(rows: T[], bad: T, at: number): T[] {
  const position = at % (rows.length + 1);
  return [...rows.slice(0, position), bad, ...rows.slice(position)];
}

// ---- files ----------------------------------------------------------------------------------

describe('importing a malformed file with maxErrors 0', () => {
  it('imports the generated valid rows when no bad row is among them', async () => {
    const rows =
      fc.sample(
        validRows.filter((r) => r.length > 0),
        1,
      )[0] ?? [];
    const before = await counts();
    const summary = await importOf(fileOf('valid.csv', stringify([PURCHASE_COLUMNS, ...rows.map(csvRow)])));
    expect(summary).toMatchObject({ read: rows.length, imported: rows.length, rejected: 0 });
    expect((await counts()).purchases).toBe((before.purchases ?? 0) + rows.length);
  });

  it('refuses a CSV with one bad cell anywhere, naming its row and column, and stores none of the other rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        validRows,
        validPurchase,
        fc.constantFrom(...BAD_PURCHASE_CELLS),
        fc.nat(),
        async (rows, base, bad, at) => {
          const badRow = csvRow(base);
          badRow[PURCHASE_COLUMNS.indexOf(bad.column)] = bad.cell;
          const all = withBad(rows.map(csvRow), badRow, at);
          const line = all.indexOf(badRow) + 2;
          const before = await counts();
          const error = await appErrorOf(importOf(fileOf('bad.csv', stringify([PURCHASE_COLUMNS, ...all]))));
          expect(error.code).toBe('INVALID_INPUT');
          expect(error.message).toMatch(
            new RegExp(`^row ${line}, column ${literal(bad.path ?? bad.column)}: `),
          );
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

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

  it('refuses a row with the wrong number of fields, naming its row', async () => {
    await fc.assert(
      fc.asyncProperty(validRows, validPurchase, fc.nat(), fc.boolean(), async (rows, base, at, longer) => {
        const badRow = longer ? [...csvRow(base), 'extra'] : csvRow(base).slice(0, 3);
        const all = withBad(rows.map(csvRow), badRow, at);
        const before = await counts();
        const error = await appErrorOf(
          importOf(fileOf('columns.csv', stringify([PURCHASE_COLUMNS, ...all]))),
        );
        expect(error.message).toMatch(
          new RegExp(
            `^row ${all.indexOf(badRow) + 2}, column \\(row\\): has ${badRow.length} fields; the header has 7`,
          ),
        );
        expect(await counts()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a CSV with a stray or unclosed quote, naming the line', async () => {
    await fc.assert(
      fc.asyncProperty(validRows, validPurchase, fc.nat(), fc.boolean(), async (rows, base, at, unclosed) => {
        const lines = withBad(
          rows.map((r) => stringify([csvRow(r)]).trimEnd()),
          unclosed
            ? `${base.id},"${base.memberId},${base.occurredAt},,1,,`
            : `${base.id},"${base.memberId}"x,${base.occurredAt},,1,,`,
          at,
        );
        const before = await counts();
        const error = await appErrorOf(
          importOf(fileOf('quotes.csv', `${PURCHASE_COLUMNS.join(',')}\n${lines.join('\n')}\n`)),
        );
        expect(error.code).toBe('INVALID_INPUT');
        const badLine = lines.findIndex((l) => l.startsWith(`${base.id},"`)) + 2;
        const named = Number(/^the file is not valid CSV at line (\d+): /.exec(error.message)?.[1]);
        // An unclosed quote runs on until the parser finds where the text stops making sense.
        if (unclosed) expect(named).toBeGreaterThanOrEqual(badLine);
        else expect(named).toBe(badLine);
        expect(await counts()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a CSV that holds two files joined, the second with its byte-order mark and header', async () => {
    const rows = fc.sample(validRows, 2);
    const first = stringify([PURCHASE_COLUMNS, ...(rows[0] ?? []).map(csvRow)]);
    const second = stringify([PURCHASE_COLUMNS, ...(rows[1] ?? []).map(csvRow)]);
    const before = await counts();
    const error = await appErrorOf(importOf(fileOf('joined.csv', `\uFEFF${first}\uFEFF${second}`)));
    expect(error.message).toMatch(
      new RegExp(
        `^row ${(rows[0]?.length ?? 0) + 2}, column \\(row\\): repeats the header; were two files joined\\?`,
      ),
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses a header that repeats a column or names no field, and stores nothing', async () => {
    const before = await counts();
    const repeated = await appErrorOf(
      importOf(fileOf('repeat.csv', 'id,memberId,occurredAt,amount,amount\np1,m1,2024-01-01,1,2\n')),
    );
    expect(repeated.message).toBe('line 1, column 5: a second column for purchases field "amount"');
    const unknown = await appErrorOf(
      importOf(fileOf('unknown.csv', `id,memberId,occurredAt,${MEGABYTE}\np1,m1,2024-01-01,1\n`)),
    );
    expect(unknown.code).toBe('USAGE');
    expect(unknown.message.length).toBeLessThan(1000);
    expect(await counts()).toEqual(before);
  });

  it('refuses a truncated gzip file wherever it is cut, and stores none of the rows before the cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        validRows.filter((r) => r.length > 0),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.boolean(),
        async (rows, cut, ndjson) => {
          const text = ndjson
            ? `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`
            : stringify([PURCHASE_COLUMNS, ...rows.map(csvRow)]);
          const gz = gzipSync(text);
          const kept = gz.subarray(0, 2 + Math.floor(cut * (gz.length - 2)));
          const before = await counts();
          const error = await appErrorOf(importOf(fileOf(ndjson ? 'cut.ndjson.gz' : 'cut.csv.gz', kept)));
          expect(error.code).toBe('INVALID_INPUT');
          expect(error.message).toMatch(/is not a valid gzip file \(unexpected end of file\)/);
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses random bytes, whatever the format, or imports nothing from them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        fc.constantFrom('csv', 'ndjson', 'csv.gz'),
        async (bytes, format) => {
          const content =
            format === 'csv.gz' ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
          const before = await counts();
          try {
            const summary = await importOf(fileOf(`random.${format}`, content));
            // Only blank input can pass: there is nothing in it to import.
            expect(summary.imported + summary.duplicate).toBe(0);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            expect(error.message).not.toBe('');
          }
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a members CSV with one bad cell, naming its row and column', async () => {
    const header = ['id', 'joinedAt', 'email', 'birthday', 'timezone', 'attributes.favourite'];
    const cases: [string, string][] = [
      ['joinedAt', 'yesterday'],
      ['email', 'not-an-email'],
      ['birthday', '2024-02-30'],
      ['timezone', 'Mars/Olympus'],
      ['attributes.favourite', MEGABYTE],
      ['attributes.favourite', `tea${NOT_UTF8}`],
      ['id', MEGABYTE],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom(...cases),
        fc.nat(),
        async (n, [column, cell], at) => {
          const rows = Array.from({ length: n }, (_, i) => [
            `new-${++serial}-${i}`,
            '2024-01-01',
            '',
            '1990-05-01',
            'Europe/London',
            'tea',
          ]);
          const badRow = [`new-${++serial}`, '2024-01-01', 'a@b.co', '1990-05-01', 'Europe/London', 'tea'];
          badRow[header.indexOf(column)] = cell;
          const all = withBad(rows, badRow, at);
          const before = await counts();
          const error = await appErrorOf(
            importOf(fileOf('members.csv', stringify([header, ...all])), 'members'),
          );
          expect(error.message).toMatch(
            new RegExp(`^row ${all.indexOf(badRow) + 2}, column ${literal(column)}: `),
          );
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---- HTTP batch bodies --------------------------------------------------------------------------

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

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
