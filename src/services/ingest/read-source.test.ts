import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contracts/errors.ts';
import { openText, readCsvRows, readLines } from './read-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'narrowcast-read-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = Array.from({ length: 50_000 }, (_, i) => `row-${i},${i}`);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// An import opens its transaction between opening the file and reading it; on a server that
// takes a while, and these tests stand for it with a pause.
describe('openText', () => {
  it('loses no bytes of a file that is read only some time after it was opened', async () => {
    const file = join(dir, 'plain.csv');
    writeFileSync(file, `${LINES.join('\n')}\n`);
    const progress = { bytes: 0, total: 0 };
    const stream = await openText(file, progress);
    await sleep(100);
    const lines = await collect(readLines(stream));
    expect(lines.map((l) => l.text)).toEqual(LINES);
    expect(progress).toEqual({ bytes: progress.total, total: LINES.join('\n').length + 1 });
  });

  it('reports a truncated gzip file even when it broke before the reader was attached', async () => {
    const file = join(dir, 'cut.csv.gz');
    // Small enough to be decompressed, and to fail, without anyone reading.
    const gz = gzipSync(`${LINES.slice(0, 20).join('\n')}\n`);
    writeFileSync(file, gz.subarray(0, gz.length - 20));
    for (const read of [readLines, readCsvRows] as const) {
      const stream = await openText(file, { bytes: 0, total: 0 });
      await sleep(100);
      const error = await collect<unknown>(read(stream)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/is not a valid gzip file \(unexpected end of file\)/);
    }
  });

  it('drops the byte-order mark that opens a file of JSON lines', async () => {
    const file = join(dir, 'bom.ndjson');
    writeFileSync(file, '\uFEFF{"id":"a"}\r\n{"id":"b"}\n');
    const lines = await collect(readLines(await openText(file, { bytes: 0, total: 0 })));
    expect(lines).toEqual([
      { line: 1, text: '{"id":"a"}' },
      { line: 2, text: '{"id":"b"}' },
    ]);
  });
});
