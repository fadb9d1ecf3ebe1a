import type { Command } from 'commander';
import { Scope } from '../../contracts/api-keys.ts';
import { AppError } from '../../contracts/errors.ts';
import { Currency, ProgramId, Timestamp } from '../../contracts/scalars.ts';
import { createApiKey } from '../../services/create-api-key.ts';
import { createProgram } from '../../services/create-program.ts';
import { listApiKeys } from '../../services/list-api-keys.ts';
import { revokeApiKey } from '../../services/revoke-api-key.ts';
import { showMember } from '../../services/show-member.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

/** Validates a flag value with a contract, naming the flag when it fails. */
function flag<T>(
  name: string,
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new AppError('USAGE', `${name} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return result.data;
}

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('create a loyalty program (the --program flag names it)')
    .option('--name <name>', 'display name')
    .option('--currency <code>', 'ISO 4217 currency of amounts without one', 'USD')
    .option('--as-of <date>', 'a fixed "now" for a historical dataset, e.g. 2011-12-10')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        options: { name?: string; currency: string; asOf?: string; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const programId = flag('--program', ProgramId, programOf(context, global));
        const currency = flag('--currency', Currency, options.currency);
        const asOf =
          options.asOf === undefined ? undefined : new Date(flag('--as-of', Timestamp, options.asOf));
        await withSession(context, global, ({ deps }) =>
          createProgram(deps, { programId, name: options.name, currency, asOf }),
        );
        if (options.json) printJson(context, { programId, created: true });
        else context.stdout.write(`Created program "${programId}".\n`);
      },
    );
}

export function registerKeys(program: Command, context: CliContext): void {
  const keys = program.command('keys').description('API keys (one program each, stored hashed)');
  keys
    .command('create')
    .description('create an API key; the key is printed once and cannot be shown again')
    .requiredOption('--scopes <list>', `comma-separated: ${Scope.options.join(', ')}`)
    .option('--label <text>', 'what the key is for')
    .option('--json', 'print the key and its details as JSON')
    .action(async (options: { scopes: string; label?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const scopes = options.scopes.split(',').map((s) => flag('--scopes', Scope, s.trim()));
      const created = await withSession(context, global, ({ deps }) =>
        createApiKey(deps, { programId: programOf(context, global), scopes, label: options.label }),
      );
      if (options.json) printJson(context, created);
      else
        context.stdout.write(
          `${created.key}\n\nAPI key ${created.id} for program "${created.programId}" with scopes ${created.scopes.join(', ')}.\nStore it now: only its hash is kept, so it cannot be shown again.\n`,
        );
    });
  keys
    .command('list')
    .description("the program's API keys: scopes, label, created, last used, revoked (never a secret)")
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const listed = await withSession(context, global, ({ deps }) =>
        listApiKeys(deps, { programId: programOf(context, global) }),
      );
      if (options.json) return printJson(context, listed);
      if (listed.length === 0) {
        context.stdout.write('No API keys; create one with: narrowcast keys create --scopes ...\n');
        return;
      }
      const day = (iso: string | null) => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));
      for (const k of listed) {
        context.stdout.write(
          `${k.id}  ${k.scopes.join(',').padEnd(19)} created ${day(k.createdAt)}  last used ${day(k.lastUsedAt)}${k.revokedAt ? `  REVOKED ${day(k.revokedAt)}` : ''}${k.label ? `  ${k.label}` : ''}\n`,
        );
      }
    });
  keys
    .command('revoke')
    .description('revoke an API key of the program; it stops working at once')
    .argument('<id>', 'the key id (the part after nck_, before the second underscore)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const revoked = await withSession(context, global, ({ deps }) =>
        revokeApiKey(deps, { programId: programOf(context, global), keyId: id }),
      );
      if (options.json) printJson(context, revoked);
      else context.stdout.write(`Revoked API key ${revoked.keyId} (${revoked.revokedAt}).\n`);
    });
}

export function registerMembers(program: Command, context: CliContext): void {
  const members = program.command('members').description('members of a program');
  members
    .command('show')
    .description('a member with the counts and totals of their history')
    .argument('<id>', 'the member external id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const view = await withSession(context, global, ({ deps }) =>
        showMember(deps, { programId: programOf(context, global), memberId: id }),
      );
      if (options.json) return printJson(context, view);
      const t = view.totals;
      context.stdout.write(
        [
          `Member ${view.member.id} of "${view.programId}", joined ${view.member.joinedAt.slice(0, 10)}${view.member.tier ? `, tier ${view.member.tier}` : ''}`,
          `  orders ${t.orders} on ${t.purchaseDays} days, ${t.firstPurchaseAt?.slice(0, 10) ?? '-'} .. ${t.lastPurchaseAt?.slice(0, 10) ?? '-'}`,
          `  spend ${t.spend} (merchandise ${t.merchandiseSpend}), refunds ${t.refunds} (${t.refundedAmount}), net merchandise ${t.netMerchandiseSpend}`,
          `  points balance ${t.pointsBalance} (earned ${t.pointsEarned}, redeemed ${t.pointsRedeemed}, expired ${t.pointsExpired})`,
          `  engagements ${t.engagements}, survey answers ${t.surveys}, declarations ${t.declarations}`,
          ...(view.segments.length > 0 ? ['  segments:'] : []),
          ...view.segments.map((s) => `    ${s.scheme}: ${s.explanation} (since ${s.since.slice(0, 10)})`),
          '',
        ].join('\n'),
      );
    });
}
