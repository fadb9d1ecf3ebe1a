import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { runDeliveryLoop } from '../../services/campaigns/run-delivery-loop.ts';
import { type CliContext, type GlobalOptions, printJson, targetOf } from '../cli-context.ts';
import { deliverySenders, publicUrlOption, smtpOptions } from './delivery-senders.ts';

interface WorkerOptions {
  smtpUrl?: string;
  from?: string;
  publicUrl: string;
  allPrograms?: boolean;
  pollMs: string;
  batchSize: string;
  leaseSeconds: string;
  untilIdle?: boolean;
  json?: boolean;
}

/** `narrowcast worker`: delivers the outbox (email over SMTP; SMS, push, in-app by signed webhook) until stopped. */
export function registerWorker(program: Command, context: CliContext): void {
  program
    .command('worker')
    .description(
      "deliver queued campaign messages (email over SMTP; sms, push and in_app to each program's signed webhook endpoint) until stopped with Ctrl-C or SIGTERM",
    )
    .option(
      '--smtp-url <url>',
      'SMTP server, e.g. smtp://127.0.0.1:2525 (a local relay keeps credentials off the command line); without it email waits',
    )
    .option('--from <address>', 'From address, e.g. "Coffee Club <news@coffee.example>" (with --smtp-url)')
    .requiredOption(
      '--public-url <url>',
      'public address of `narrowcast serve`, for unsubscribe and tracking links',
    )
    .option('--all-programs', 'deliver for every program, not only --program')
    .option('--poll-ms <ms>', 'wait between idle passes', '1000')
    .option('--batch-size <n>', 'messages claimed per pass', '100')
    .option(
      '--lease-seconds <s>',
      'how long a claimed message is held before another worker may retry it',
      '300',
    )
    .option('--until-idle', 'stop when nothing is due (for cron)')
    .option('--json', 'print the totals as JSON when it stops')
    .action(async (options: WorkerOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const pollMs = Number(options.pollMs);
      const batchSize = Number(options.batchSize);
      const leaseSeconds = Number(options.leaseSeconds);
      if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1)
        throw new AppError('USAGE', '--lease-seconds must be a whole number from 1');
      if (!Number.isInteger(pollMs) || pollMs < 10)
        throw new AppError('USAGE', '--poll-ms must be a whole number from 10');
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new AppError('USAGE', '--batch-size must be a whole number from 1');
      const publicUrl = publicUrlOption(options.publicUrl);
      const smtp = smtpOptions(options);
      const session = await context.open(targetOf(context, global), { serverLog: true });
      const channels = deliverySenders(session.deps.db, smtp);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const total = await runDeliveryLoop(session.deps, {
          senders: channels.senders,
          publicUrl,
          programId: options.allPrograms ? undefined : (global.program ?? context.config.program),
          batchSize,
          leaseSeconds,
          pollMs,
          untilIdle: options.untilIdle ?? false,
          signal: stop.signal,
        });
        if (options.json) printJson(context, total);
        else
          context.stdout.write(
            `Delivered ${total.sent} message(s); ${total.retried} to retry, ${total.failed} failed.\n`,
          );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        channels.close();
        await session.close();
      }
    });
}
