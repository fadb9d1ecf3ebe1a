import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { createApp } from '../../http/app.ts';
import { startDeliveryWorker } from '../../services/campaigns/delivery-worker.ts';
import { createApiKey } from '../../services/create-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { loadDemo } from '../../services/load-demo.ts';
import { refreshSegments } from '../../services/segments/refresh-segments.ts';
import { startWebhookWorker } from '../../services/webhooks/webhook-worker.ts';
import { type CliContext, type GlobalOptions, printJson, targetOf, withSession } from '../cli-context.ts';
import { createProgress } from '../progress.ts';
import { deliverySenders, publicUrlOption, smtpOptions } from './delivery-senders.ts';

type ServeOptions = {
  port?: string;
  host: string;
  demo?: boolean;
  webhooks: boolean;
  refreshEvery: string;
  delivery: boolean;
  smtpUrl?: string;
  from?: string;
  publicUrl?: string;
  deliveryProgram?: string;
};

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the HTTP API (and, with --demo, load the demo program on first start)')
    .option('--port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--demo', 'load the demo program if this database does not have it yet')
    .option('--refresh-every <minutes>', 'minutes between scheduled segment refreshes (0: none)', '15')
    .option('--no-webhooks', 'do not deliver webhooks from this process')
    .option(
      '--no-delivery',
      'do not deliver campaign messages from this process (run `narrowcast worker` instead)',
    )
    .option(
      '--smtp-url <url>',
      'SMTP server for campaign email, e.g. smtp://127.0.0.1:2525 (without it email waits)',
    )
    .option('--from <address>', 'From address of campaign email (with --smtp-url)')
    .option(
      '--public-url <url>',
      'public address of this server, for unsubscribe and tracking links (default: the address it listens on)',
    )
    .option(
      '--delivery-program <id>',
      "deliver only this program's campaign messages (default: every program's)",
    )
    .action(async (options: ServeOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const port = options.port === undefined ? context.config.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new AppError('USAGE', '--port must be 0-65535');
      const refreshMinutes = Number(options.refreshEvery);
      if (!Number.isFinite(refreshMinutes) || refreshMinutes < 0)
        throw new AppError('USAGE', '--refresh-every must be a number of minutes (0 for none)');
      const smtp = options.delivery ? smtpOptions(options) : undefined;
      const publicUrl = options.publicUrl === undefined ? undefined : publicUrlOption(options.publicUrl);
      const session = await context.open(targetOf(context, global), { serverLog: true });
      let worker: { stop(): Promise<void> } | undefined;
      let delivery: { stop(): Promise<unknown> } | undefined;
      let channels: { close(): void } | undefined;
      let refresher: { stop(): Promise<void> } | undefined;
      try {
        const { deps } = session;
        const demoKey = options.demo ? await loadDemoOnFirstStart(context, deps) : undefined;
        const app = createApp(deps, { maxBodyBytes: context.config.maxBodyBytes });
        const server = await listen(app.fetch, port, options.host);
        const { port: bound } = server.address() as AddressInfo;
        // Webhook deliveries of every program go out from the outbox beside the API.
        worker = options.webhooks ? startWebhookWorker(deps) : undefined;
        refresher = refreshMinutes > 0 ? scheduleRefreshes(deps, refreshMinutes * 60_000) : undefined;
        if (options.delivery) {
          const built = deliverySenders(deps.db, smtp);
          channels = built;
          delivery = startDeliveryWorker(deps, {
            senders: built.senders,
            publicUrl: publicUrl ?? `http://${options.host}:${bound}/`,
            programId: options.deliveryProgram,
          });
        }
        context.stdout.write(
          `Narrowcast is running at http://${options.host}:${bound}/ (${session.engine} database)\n` +
            `  API description: http://${options.host}:${bound}/openapi.json\n` +
            `  Webhook deliveries: ${worker ? 'on' : 'off (--no-webhooks)'}; segment refresh: ${refresher ? `every ${refreshMinutes} min` : 'off'}\n` +
            `  Campaign delivery: ${delivery ? `sms, push, in_app by webhook; email ${smtp ? 'over SMTP' : 'waits (no --smtp-url)'}` : 'off (--no-delivery)'}\n` +
            (demoKey
              ? `  API key for the demo program (shown once; only its hash is kept): ${demoKey}\n`
              : '') +
            (session.engine === 'embedded'
              ? '  The embedded database belongs to this process while it runs: stop it (Ctrl-C) before\n' +
                '  running other narrowcast commands on the same data folder, or load data through the API.\n'
              : ''),
        );
        await untilSignalled();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } finally {
        // The message in flight is finished and recorded before the database closes.
        await delivery?.stop();
        channels?.close();
        await refresher?.stop();
        await worker?.stop();
        await session.close();
      }
    });
}

/**
 * Refreshes every program's segments on a fixed period, one program after another; a run never
 * overlaps the previous one, and stopping waits for the run in progress.
 */
function scheduleRefreshes(deps: Deps, everyMs: number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = async () => {
    const programs = await deps.db.selectFrom('programs').select('id').orderBy('id').execute();
    for (const { id } of programs) {
      if (stopped) return;
      try {
        const s = await refreshSegments(deps, { programId: id });
        deps.log.info('segments refreshed', {
          programId: id,
          mode: s.mode,
          evaluated: s.evaluated,
          entered: s.entered,
          left: s.left,
        });
      } catch (error) {
        deps.log.error('segment refresh failed', { programId: id, error: String(error) });
      }
    }
  };
  const tick = () => {
    running = run().finally(() => {
      if (!stopped) timer = setTimeout(tick, everyMs);
    });
  };
  timer = setTimeout(tick, everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Loads the demo program when the database does not have it yet, and then creates an API key for
 * it (the embedded database is held by the server, so `keys create` cannot run beside it).
 * Returns the key on the first start only.
 */
async function loadDemoOnFirstStart(context: CliContext, deps: Deps): Promise<string | undefined> {
  const exists = await deps.db
    .selectFrom('programs')
    .select('id')
    .where('id', '=', 'demo')
    .executeTakeFirst();
  if (exists) return undefined;
  context.stderr.write('First start: loading the demo program (20,000 members)...\n');
  const bar = createProgress(context.stderr, true, 'demo');
  try {
    const result = await loadDemo(deps, { onProgress: (done, total) => bar.update(done, total, done) });
    context.stderr.write(`Loaded the demo program in ${result.seconds.toFixed(1)} s.\n`);
  } finally {
    bar.stop();
  }
  const { key } = await createApiKey(deps, {
    programId: 'demo',
    scopes: ['ingest', 'read', 'manage'],
    label: 'created on first start',
  });
  return key;
}

/** Starts listening; a port that is taken or not allowed is a usage error, not an uncaught exception. */
function listen(fetch: (request: Request) => Response | Promise<Response>, port: number, host: string) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, () => {
      server.off('error', fail);
      resolve(server);
    });
    function fail(error: NodeJS.ErrnoException) {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'the address is in use'
          : error.code === 'EACCES'
            ? 'permission denied'
            : error.message;
      reject(new AppError('USAGE', `cannot listen on ${host}:${port}: ${reason}; choose another --port`));
    }
    server.once('error', fail);
  });
}

/** Resolves on the first SIGINT or SIGTERM, leaving no listener behind. */
function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
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
