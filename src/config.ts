import { resolve } from 'node:path';
import { z } from 'zod';

/** Settings read once from the environment at start; command-line flags override them. */
export const Config = z.object({
  /** DATABASE_URL: a PostgreSQL server; when unset, the embedded engine is used. */
  databaseUrl: z.string().optional(),
  /** NARROWCAST_DATA_DIR: the embedded engine's data folder (default .narrowcast in the working directory). */
  dataDir: z.string(),
  /** PORT: where `serve` listens (default 3000). */
  port: z.coerce.number().int().min(0).max(65535),
  /** NARROWCAST_PROGRAM: the program CLI commands act on when --program is not given (default "demo"). */
  program: z.string(),
  /** NARROWCAST_MAX_BODY_BYTES: largest HTTP request body (default 32 MiB). */
  maxBodyBytes: z.coerce.number().int().positive(),
  /** LOG_LEVEL: pino level for the server's JSON logs (default info). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type Config = z.infer<typeof Config>;

/** Parses the environment into a typed Config; a bad value names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): Config {
  const parsed = Config.safeParse({
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(cwd, env.NARROWCAST_DATA_DIR || '.narrowcast'),
    port: env.PORT || 3000,
    program: env.NARROWCAST_PROGRAM || 'demo',
    maxBodyBytes: env.NARROWCAST_MAX_BODY_BYTES || 32 * 1024 * 1024,
    logLevel: env.LOG_LEVEL || 'info',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment: ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return parsed.data;
}
