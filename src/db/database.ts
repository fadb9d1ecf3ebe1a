import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { lockDataDir } from './data-dir-lock.ts';
import { migrateToLatest } from './migrate.ts';
import type { Schema } from './schema.ts';

/** Where the data lives: a server URL, an embedded data folder, or (tests, benchmarks) memory only. */
export type DatabaseTarget = { url: string } | { dataDir: string } | { memory: true };

export interface Database {
  readonly db: Kysely<Schema>;
  /** "server" for PostgreSQL over the network, "embedded" for the in-process engine. */
  readonly engine: 'server' | 'embedded';
  /**
   * Bulk-loads CSV text with `COPY <target> FROM STDIN (FORMAT csv)`, outside any transaction.
   * For benchmarks and bulk set-up only: it bypasses validation and idempotency.
   */
  copyCsv(target: string, chunks: AsyncIterable<string>): Promise<void>;
  close(): Promise<void>;
}

/** Text handed to the embedded engine per COPY statement (it takes the data as one blob). */
const EMBEDDED_COPY_BYTES = 64 * 1024 * 1024;

// Both engines return the same JavaScript types: int8 -> number (ids and counts stay far below
// 2^53), numeric -> exact string, date -> 'YYYY-MM-DD' string.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
pg.types.setTypeParser(INT8, (value: string) => Number(value));
pg.types.setTypeParser(DATE, (value: string) => value);

/** Opens the database, takes the data-folder lock for the embedded engine, and migrates to latest. */
export async function openDatabase(
  target: DatabaseTarget,
  options: { poolSize?: number } = {},
): Promise<Database> {
  const database =
    'url' in target ? openServer(target.url, options.poolSize ?? 10) : await openEmbedded(target);
  try {
    await migrateToLatest(database.db as Kysely<unknown>);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openServer(url: string, poolSize: number): Database {
  // JIT off for every connection: Narrowcast's statements are short, or read a whole program once,
  // and compiling them took longer than running them (a chunk of 2,000 members' state read spent
  // hundreds of milliseconds in LLVM at a million members). The embedded engine has no JIT.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'server',
    async copyCsv(target, chunks) {
      const client = await pool.connect();
      try {
        const sink = client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT csv)`));
        await pipeline(Readable.from(chunks), sink);
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

async function openEmbedded(target: { dataDir: string } | { memory: true }): Promise<Database> {
  let release: (() => Promise<void>) | undefined;
  if ('dataDir' in target) {
    mkdirSync(target.dataDir, { recursive: true });
    release = await lockDataDir(target.dataDir);
  }
  const parsers = {
    [types.INT8]: (value: string) => Number(value),
    [NUMERIC]: (value: string) => value,
    [types.DATE]: (value: string) => value,
  };
  const client = 'dataDir' in target ? new PGlite(target.dataDir, { parsers }) : new PGlite({ parsers });
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(client) });
  return {
    db,
    engine: 'embedded',
    async copyCsv(target, chunks) {
      let parts: string[] = [];
      let size = 0;
      const send = async () => {
        if (size === 0) return;
        await client.query(`COPY ${target} FROM '/dev/blob' (FORMAT csv)`, [], { blob: new Blob(parts) });
        parts = [];
        size = 0;
      };
      for await (const chunk of chunks) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= EMBEDDED_COPY_BYTES) await send();
      }
      await send();
    },
    async close() {
      await db.destroy();
      await release?.();
    },
  };
}
