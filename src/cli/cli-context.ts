import type { Config } from '../config.ts';
import type { Deps } from '../services/deps.ts';

/** Where the database is, as the global flags and the environment say. */
export interface Target {
  databaseUrl?: string | undefined;
  dataDir: string;
}

/** An open database with the deps built on it, to be closed when the command ends. */
export interface Session {
  deps: Deps;
  engine: 'server' | 'embedded';
  close(): Promise<void>;
}

/** What the composition root hands the command line: config, output, and a way to open the database. */
export interface CliContext {
  config: Config;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  open(target: Target, options?: { serverLog?: boolean }): Promise<Session>;
}

/** The global options every command sees. */
export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  program?: string;
}

export function targetOf(context: CliContext, options: GlobalOptions): Target {
  return {
    databaseUrl: options.databaseUrl ?? context.config.databaseUrl,
    dataDir: options.dataDir ?? context.config.dataDir,
  };
}

/** Runs a command body with an open session, closing it however the body ends. */
export async function withSession<T>(
  context: CliContext,
  options: GlobalOptions,
  body: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await context.open(targetOf(context, options));
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

export function printJson(context: CliContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
