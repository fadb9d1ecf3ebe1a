import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appErrorOf,
  BAD_DATES,
  csvRow,
  literal,
  MEGABYTE,
  NOT_UTF8,
  nextSerial,
  openFuzzProgram,
  PURCHASE_COLUMNS,
  RUNS,
  validPurchase,
  validRows,
  withBad,
} from './fixtures/malformed-input.ts';

// Malformed CSV files, with the bad row or cell at a random place among valid ones: every case
// must end in an AppError that names the row and column, and must leave the database exactly as
// it was.

const { counts, fileOf, importOf, close } = await openFuzzProgram();
afterAll(close);

/** A bad CSV cell of a purchases file and the column the error must name. */
interface BadCell {
  column: string;
  cell: string;
  path?: string;
}

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
            `new-${nextSerial()}-${i}`,
            '2024-01-01',
            '',
            '1990-05-01',
            'Europe/London',
            'tea',
          ]);
          const badRow = [
            `new-${nextSerial()}`,
            '2024-01-01',
            'a@b.co',
            '1990-05-01',
            'Europe/London',
            'tea',
          ];
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
