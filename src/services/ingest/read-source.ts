import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { AppError } from '../../contracts/errors.ts';

/** Bytes read so far of a file, against its size, for progress bars. */
export interface ByteProgress {
  bytes: number;
  total: number;
}

/** A readable text stream of a file, gunzipped when the file starts with the gzip magic bytes. */
export async function openText(file: string, progress: ByteProgress): Promise<Readable> {
  let size: number;
  let head: Buffer;
  try {
    size = (await stat(file)).size;
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(2);
      await handle.read(head, 0, 2, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new AppError('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
  progress.total = size;
  const raw = createReadStream(file);
  raw.on('data', (chunk) => {
    progress.bytes += chunk.length;
  });
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  if (!gzipped) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** Lines of a text stream with their 1-based numbers; a trailing CR is removed. */
export async function* readLines(stream: Readable): AsyncGenerator<{ line: number; text: string }> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    yield { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  }
}

/** CSV rows as raw field arrays with the file line each ends on; the header is the first row. */
export async function* readCsvRows(stream: Readable): AsyncGenerator<{ line: number; fields: string[] }> {
  const parser = stream.pipe(
    parse({ info: true, bom: true, relax_column_count: true, skip_empty_lines: true }),
  );
  stream.on('error', (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { line: info.lines, fields: record };
    }
  } catch (error) {
    const message = (error as Error).message;
    const at = /line (\d+)/.exec(message);
    throw new AppError(
      'INVALID_INPUT',
      `the file is not valid CSV${at ? ` at line ${at[1]}` : ''}: ${message}; nothing was applied`,
    );
  }
}
