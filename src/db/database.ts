import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { AppError } from '../contracts/errors.ts';
import { migrateToLatest } from './migrate.ts';
import type { Schema } from './schema.ts';

/** Where the data lives: a server URL, an embedded data folder, or (tests, benchmarks) memory only. */
export type DatabaseTarget = { url: string } | { dataDir: string } | { memory: true };

export interface Database {
  readonly db: Kysely<Schema>;
  /** "server" for PostgreSQL over the network, "embedded" for the in-process engine. */
  readonly engine: 'server' | 'embedded';
  close(): Promise<void>;
}

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
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'server', close: () => db.destroy() };
}

async function openEmbedded(target: { dataDir: string } | { memory: true }): Promise<Database> {
  let release: (() => Promise<void>) | undefined;
  if ('dataDir' in target) {
    mkdirSync(target.dataDir, { recursive: true });
    try {
      // One process owns an embedded data folder at a time; a second opener would corrupt it.
      release = await lockfile.lock(target.dataDir, { stale: 15_000, update: 5_000 });
    } catch {
      throw new AppError(
        'DATA_DIR_LOCKED',
        `the data folder ${target.dataDir} is in use by another Narrowcast process; stop it, or send the data to its HTTP API`,
      );
    }
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
    async close() {
      await db.destroy();
      await release?.();
    },
  };
}
