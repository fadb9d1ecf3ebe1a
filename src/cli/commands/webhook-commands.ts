import type { Command } from 'commander';
import { createWebhook } from '../../services/webhooks/create-webhook.ts';
import { disableWebhook } from '../../services/webhooks/disable-webhook.ts';
import { listWebhooks } from '../../services/webhooks/list-webhooks.ts';
import { deliverAllDue } from '../../services/webhooks/webhook-worker.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

/** `narrowcast webhooks ...`: where segment entered/left events are delivered. */
export function registerWebhooks(program: Command, context: CliContext): void {
  const webhooks = program.command('webhooks').description('webhooks for segment entered/left events');

  webhooks
    .command('create')
    .description('register a webhook; its signing secret is printed once')
    .requiredOption('--url <url>', 'where deliveries are POSTed (http or https)')
    .option(
      '--events <list>',
      'comma-separated: segment.entered, segment.left',
      'segment.entered,segment.left',
    )
    .option('--json', 'print the webhook and its secret as JSON')
    .action(async (options: { url: string; events: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const events = options.events.split(',').map((e) => e.trim());
      const created = await withSession(context, global, ({ deps }) =>
        createWebhook(deps, { programId: programOf(context, global), input: { url: options.url, events } }),
      );
      if (options.json) return printJson(context, created);
      context.stdout.write(
        `${created.secret}\n\nWebhook ${created.id} of "${created.programId}" -> ${created.url} for ${created.events.join(', ')}.\n` +
          'That is its signing secret: store it with the receiver now, it is not shown again.\n' +
          'Each delivery carries Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> and Idempotency-Key.\n',
      );
    });

  webhooks
    .command('list')
    .description('the program’s webhooks with delivery counts (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const list = await withSession(context, global, ({ deps }) =>
        listWebhooks(deps, { programId: programOf(context, global) }),
      );
      if (options.json) return printJson(context, list);
      context.stdout.write(
        list
          .map(
            (w) =>
              `${w.id}  ${w.url}  ${w.events.join(',')}  ${w.disabledAt ? `disabled ${w.disabledAt}` : 'enabled'}  ` +
              `delivered ${w.delivered}, pending ${w.pending}, failed ${w.failed}\n`,
          )
          .join('') || 'No webhooks.\n',
      );
    });

  webhooks
    .command('disable')
    .description('stop a webhook; queued deliveries are no longer sent')
    .argument('<id>', 'the webhook id (wh_...)')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const disabled = await withSession(context, global, ({ deps }) =>
        disableWebhook(deps, { programId: programOf(context, global), webhookId: id }),
      );
      if (options.json) return printJson(context, disabled);
      context.stdout.write(`Disabled webhook ${disabled.id} (${disabled.disabledAt}).\n`);
    });

  webhooks
    .command('deliver')
    .description('send the program’s due deliveries once, as the worker in "serve" does continuously')
    .option('--all-programs', 'deliver for every program, not only --program')
    .option('--json', 'print as JSON')
    .action(async (options: { allPrograms?: boolean; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const programId = options.allPrograms ? undefined : programOf(context, global);
      const round = await withSession(context, global, ({ deps }) => deliverAllDue(deps, { programId }));
      if (options.json) return printJson(context, round);
      context.stdout.write(
        `Delivered ${round.delivered} of ${round.claimed} due; ${round.retrying} will be retried, ${round.gaveUp} given up.\n`,
      );
    });
}
