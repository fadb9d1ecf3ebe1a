import { serve } from '@hono/node-server';
import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { createApp } from '../../http/app.ts';
import { loadDemo } from '../../services/load-demo.ts';
import { type CliContext, type GlobalOptions, printJson, targetOf, withSession } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the HTTP API (and, with --demo, load the demo program on first start)')
    .option('--port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--demo', 'load the demo program if this database does not have it yet')
    .action(async (options: { port?: string; host: string; demo?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const port = options.port === undefined ? context.config.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new AppError('USAGE', '--port must be 0-65535');
      const session = await context.open(targetOf(context, global), { serverLog: true });
      const { deps } = session;
      if (options.demo) {
        const exists = await deps.db
          .selectFrom('programs')
          .select('id')
          .where('id', '=', 'demo')
          .executeTakeFirst();
        if (!exists) {
          context.stderr.write('First start: loading the demo program (20,000 members)...\n');
          const bar = createProgress(context.stderr, true, 'demo');
          const result = await loadDemo(deps, { onProgress: (done, total) => bar.update(done, total, done) });
          bar.stop();
          context.stderr.write(`Loaded the demo program in ${result.seconds.toFixed(1)} s.\n`);
        }
      }
      const app = createApp(deps, { maxBodyBytes: context.config.maxBodyBytes });
      const server = serve({ fetch: app.fetch, port, hostname: options.host }, (info) => {
        context.stdout.write(
          `Narrowcast is running at http://${options.host}:${info.port}/ (${session.engine} database)\n` +
            `  API description: http://${options.host}:${info.port}/openapi.json\n` +
            '  Create an API key: narrowcast keys create --program demo --scopes ingest,read,manage\n',
        );
      });
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await session.close();
    });
}

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('generate and load the deterministic demo program')
    .option('--members <n>', 'members to generate', '20000')
    .option('--seed <s>', 'random seed: the same seed and date give the same program', '42')
    .option('--as-of <date>', 'the date the program is generated at (default: today)')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: { members: string; seed: string; asOf?: string; json?: boolean }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const members = Number(options.members);
        const seed = Number(options.seed);
        if (!Number.isSafeInteger(members) || members < 1)
          throw new AppError('USAGE', '--members must be a positive whole number');
        if (!Number.isSafeInteger(seed)) throw new AppError('USAGE', '--seed must be a whole number');
        const now = options.asOf ? new Date(`${options.asOf}T00:00:00Z`) : undefined;
        if (now && Number.isNaN(now.getTime()))
          throw new AppError('USAGE', '--as-of must be a date YYYY-MM-DD');
        const result = await withSession(context, global, async ({ deps }) => {
          const bar = createProgress(context.stderr, !options.json, 'demo');
          try {
            return await loadDemo(deps, {
              programId: global.program,
              members,
              seed,
              now,
              onProgress: (done, total) => bar.update(done, total, done),
            });
          } finally {
            bar.stop();
          }
        });
        if (options.json) printJson(context, result);
        else
          context.stdout.write(
            `Loaded demo program "${result.programId}": ${members.toLocaleString('en')} members (seed ${seed}, as of ${result.now.slice(0, 10)}) in ${result.seconds.toFixed(1)} s\n` +
              Object.entries(result.records)
                .map(([kind, n]) => `  ${kind}: ${n.toLocaleString('en')}\n`)
                .join(''),
          );
      },
    );
}
