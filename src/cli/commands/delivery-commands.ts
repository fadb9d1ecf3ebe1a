import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { configureChannel } from '../../services/delivery/configure-channel.ts';
import { createFeedbackSecret } from '../../services/delivery/create-feedback-secret.ts';
import { listChannels } from '../../services/delivery/list-channels.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

interface SetOptions {
  url?: string;
  removeUrl?: boolean;
  rate?: string;
  removeRate?: boolean;
  rotateSecret?: boolean;
  json?: boolean;
}

/** `narrowcast channels ...`: where and how fast campaign messages leave, and the feedback secret. */
export function registerDeliveryCommands(program: Command, context: CliContext): void {
  const channels = program
    .command('channels')
    .description(
      'delivery settings: webhook endpoints for sms, push and in_app; rate limits; bounce feedback',
    );

  channels
    .command('list')
    .description('each channel’s endpoint and rate limit (never its secret)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const list = await withSession(context, global, ({ deps }) =>
        listChannels(deps, { programId: programOf(context, global) }),
      );
      if (options.json) return printJson(context, list);
      context.stdout.write(
        list
          .map(
            (c) =>
              `${c.channel.padEnd(7)} ${c.channel === 'email' ? 'SMTP (set on the worker)' : (c.url ?? 'no endpoint: messages wait')}  ` +
              `${c.ratePerSecond === null ? 'no rate limit' : `${c.ratePerSecond} per second`}\n`,
          )
          .join(''),
      );
    });

  channels
    .command('set')
    .description(
      'change a channel: its endpoint (sms, push, in_app) and rate limit; a new endpoint’s secret is printed once',
    )
    .argument('<channel>', 'email, sms, push or in_app')
    .option('--url <url>', 'where the worker POSTs signed messages (http or https)')
    .option('--remove-url', 'remove the endpoint (its messages wait)')
    .option('--rate <per-second>', 'at most this many messages per second on the channel')
    .option('--remove-rate', 'remove the rate limit')
    .option('--rotate-secret', 'make a new signing secret for the endpoint')
    .option('--json', 'print the settings (and a new secret) as JSON')
    .action(async (channel: string, options: SetOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      if (options.url !== undefined && options.removeUrl)
        throw new AppError('USAGE', 'give --url or --remove-url, not both');
      if (options.rate !== undefined && options.removeRate)
        throw new AppError('USAGE', 'give --rate or --remove-rate, not both');
      const rate = options.rate === undefined ? undefined : Number(options.rate);
      if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
        throw new AppError('USAGE', '--rate must be a positive number of messages per second');
      const input = {
        ...(options.url !== undefined ? { url: options.url } : options.removeUrl ? { url: null } : {}),
        ...(rate !== undefined ? { ratePerSecond: rate } : options.removeRate ? { ratePerSecond: null } : {}),
        ...(options.rotateSecret ? { rotateSecret: true } : {}),
      };
      const result = await withSession(context, global, ({ deps }) =>
        configureChannel(deps, { programId: programOf(context, global), channel, input }),
      );
      if (options.json) return printJson(context, result);
      context.stdout.write(
        (result.secret
          ? `${result.secret}\n\nThat is the ${channel} endpoint's signing secret: store it with the receiver now, it is not shown again.\n` +
            'Each message carries Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> and Idempotency-Key.\n'
          : '') +
          `${channel}: ${result.url ?? (channel === 'email' ? 'SMTP' : 'no endpoint')}, ${result.ratePerSecond === null ? 'no rate limit' : `${result.ratePerSecond} per second`}\n`,
      );
    });

  channels
    .command('feedback-secret')
    .description('make (or replace) the secret that signs bounce and complaint reports; printed once')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const created = await withSession(context, global, ({ deps }) =>
        createFeedbackSecret(deps, { programId: programOf(context, global) }),
      );
      if (options.json) return printJson(context, created);
      context.stdout.write(
        `${created.secret}\n\nReports go to POST /hooks/delivery-feedback/${created.programId}, signed with this secret\n` +
          '(Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">). It is not shown again; a previous one stops working now.\n',
      );
    });
}
