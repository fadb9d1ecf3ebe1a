import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/** Structured log lines; implementations must never print secrets. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What every use-case is handed. There is no global database, clock or logger. */
export interface Deps {
  db: Kysely<Schema>;
  clock: () => Date;
  log: Log;
}

/** A log that drops everything (tests, --quiet). */
export const silentLog: Log = { info() {}, warn() {}, error() {} };
