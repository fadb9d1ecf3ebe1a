import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable, Transform } from 'node:stream';
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
  // Bytes are counted as they pass through, not with a 'data' listener on the file: that would
  // switch the file to flowing mode, and whatever it read before the parser was attached (while
  // the import opened its transaction) would be lost.
  const raw = createReadStream(file);
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.bytes += chunk.length;
      done(null, chunk);
    },
  });
  raw.on('error', (error) =>
    counted.destroy(new AppError('FILE_UNREADABLE', `cannot read ${file}: ${error.message}`)),
  );
  raw.pipe(counted);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  if (!gzipped) return keepError(counted);
  // The decompressor's own errors ("unexpected end of file") would reach the reader as they are;
  // they are turned into one that says what is wrong with the file.
  const gunzip = createGunzip();
  const text = new PassThrough();
  counted.on('error', (error) => text.destroy(error));
  gunzip.on('error', (error) =>
    text.destroy(
      new AppError(
        'INVALID_INPUT',
        `${file} is not a valid gzip file (${error.message}); it may be truncated or corrupt`,
      ),
    ),
  );
  counted.pipe(gunzip).pipe(text);
  return keepError(text);
}

/**
 * The stream may fail before its reader is attached (a small truncated gzip fails while the import
 * opens its transaction). Without a listener that error would be uncaught and end the process; it
 * is kept on `stream.errored`, where the reader finds it (throwIfFailed).
 */
function keepError(stream: Readable): Readable {
  stream.on('error', () => {});
  return stream;
}

/** Lines of a text stream with their 1-based numbers; a trailing CR is removed. */
export async function* readLines(stream: Readable): AsyncGenerator<{ line: number; text: string }> {
  throwIfFailed(stream);
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    // A byte-order mark opens files saved by some Windows tools; it is not part of the first line.
    const bare = line === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
    yield { line, text: bare.endsWith('\r') ? bare.slice(0, -1) : bare };
  }
}

/** CSV rows as raw field arrays with the file line each ends on; the header is the first row. */
export async function* readCsvRows(stream: Readable): AsyncGenerator<{ line: number; fields: string[] }> {
  throwIfFailed(stream);
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
    if (error instanceof AppError) throw error;
    const message = (error as Error).message;
    const at = /line (\d+)/.exec(message);
    throw new AppError(
      'INVALID_INPUT',
      `the file is not valid CSV${at ? ` at line ${at[1]}` : ''}: ${message}; nothing was applied`,
    );
  }
}

/**
 * A stream that failed before its reader was attached (a truncated gzip found while the import
 * opened its transaction) has already emitted its error and closed: a reader attached now would
 * wait forever for data or an end, so the error is thrown here.
 */
function throwIfFailed(stream: Readable): void {
  if (stream.errored) throw stream.errored;
  if (stream.destroyed) throw new AppError('FILE_UNREADABLE', 'the file was closed before it was read');
}
