import { gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/contracts/errors.ts';
import {
  appErrorOf,
  csvRow,
  openFuzzProgram,
  PURCHASE_COLUMNS,
  RUNS,
  validRows,
} from './fixtures/malformed-input.ts';

// Files broken below the level of rows: gzip cut short and random bytes. Every case must end in
// an AppError (or import nothing), and must leave the database exactly as it was.

const { counts, fileOf, importOf, close } = await openFuzzProgram();
afterAll(close);

describe('importing a malformed file with maxErrors 0', () => {
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
});
