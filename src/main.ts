import pino from 'pino';
import type { CliContext, Session, Target } from './cli/cli-context.ts';
import { runProgram } from './cli/program.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { type Log, silentLog } from './services/deps.ts';

// The composition root: the only place that reads the environment and opens the database.

function pinoLog(level: string): Log {
  const logger = pino(
    { level, redact: ['*.authorization', '*.key', '*.secret', '*.password'] },
    pino.destination(2),
  );
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}

/** Runs `narrowcast` with the given arguments; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const config = loadConfig(process.env, process.cwd());
  const context: CliContext = {
    config,
    stdout: process.stdout,
    stderr: process.stderr,
    async open(target: Target, options = {}): Promise<Session> {
      const database = await openDatabase(
        target.databaseUrl ? { url: target.databaseUrl } : { dataDir: target.dataDir },
      );
      const log = options.serverLog ? pinoLog(config.logLevel) : silentLog;
      return {
        deps: { db: database.db, clock: () => new Date(), log },
        engine: database.engine,
        close: () => database.close(),
      };
    },
  };
  return runProgram(context, argv);
}
