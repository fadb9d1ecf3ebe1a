import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  type CampaignPreview,
  CampaignStatus,
  type CampaignView,
  type DefinitionIssue,
} from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import { addSuppressions } from '../../services/campaigns/add-suppressions.ts';
import { approveCampaign } from '../../services/campaigns/approve-campaign.ts';
import { cancelCampaign } from '../../services/campaigns/cancel-campaign.ts';
import { createCampaign } from '../../services/campaigns/create-campaign.ts';
import { explainDecision } from '../../services/campaigns/explain-decision.ts';
import { launchCampaign } from '../../services/campaigns/launch-campaign.ts';
import { listCampaigns } from '../../services/campaigns/list-campaigns.ts';
import { previewCampaign } from '../../services/campaigns/preview-campaign.ts';
import { setGovernancePolicy } from '../../services/campaigns/set-governance-policy.ts';
import { showCampaign } from '../../services/campaigns/show-campaign.ts';
import { showGovernancePolicy } from '../../services/campaigns/show-governance-policy.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

// `narrowcast campaigns ...`: the command line acts with the database's own authority (whoever can
// open the data folder or the server URL manages the program), so it may approve; over HTTP only a
// key with the `manage` scope can.

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

/** Largest definition file read, in bytes. */
const MAX_DEFINITION_BYTES = 1024 * 1024;

async function readDefinitionFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AppError(
      'FILE_UNREADABLE',
      `cannot read "${path}": ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (bytes.length > MAX_DEFINITION_BYTES) {
    throw new AppError('INVALID_INPUT', `"${path}" is larger than ${MAX_DEFINITION_BYTES} bytes`);
  }
  return bytes.toString('utf8');
}

/** Prints every definition issue as file:line:column: path: message, then lets the error end the command. */
function reportIssues(context: CliContext, file: string, error: unknown): never {
  const issues =
    (error instanceof AppError && (error.details as { issues?: DefinitionIssue[] })?.issues) || [];
  for (const issue of issues) {
    const at = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column}`;
    context.stderr.write(`${at}: ${issue.path || 'definition'}: ${issue.message}\n`);
  }
  throw error;
}

function versionFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new AppError('USAGE', '--version must be a whole number from 1');
  return n;
}

function describe(view: CampaignView): string {
  const d = view.definition;
  const segments = d.audience.segments
    .map((s) => `${s.scheme}/${s.segment}`)
    .join(d.audience.match === 'all' ? ' and ' : ', ');
  return [
    `Campaign ${view.name} version ${view.version} of "${view.programId}": ${view.status}`,
    `  goal ${d.goal}; audience ${segments}${d.audience.exclude.length > 0 ? `, excluding ${d.audience.exclude.map((s) => `${s.scheme}/${s.segment}`).join(', ')}` : ''}`,
    `  offer ${d.offer.kind}${d.offer.value === undefined ? '' : ` ${d.offer.value}`} (unit cost ${d.offer.unitCost})`,
    `  channels ${d.channels.join(' > ')}; schedule ${d.schedule.kind}; holdout ${Math.round(d.holdout * 1000) / 10}%`,
    `  variants ${d.variants.map((v) => `${v.name} (weight ${v.weight})`).join(', ')}`,
    ...(view.approvedAt ? [`  approved ${view.approvedAt} by ${view.approvedBy}`] : []),
    ...(view.cancelledAt ? [`  cancelled ${view.cancelledAt}`] : []),
    ...(view.supersedes ? [`  supersedes ${view.supersedes}`] : []),
    '',
  ].join('\n');
}

export function registerCampaigns(program: Command, context: CliContext): void {
  const campaigns = program.command('campaigns').description('campaigns: define, approve, cancel');
  campaigns
    .command('create')
    .description('save a campaign definition (YAML or JSON) as a draft; a frozen campaign gets a new version')
    .argument('<file>', 'the definition file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const text = await readDefinitionFile(file);
      const saved = await withSession(context, global, ({ deps }) =>
        createCampaign(deps, { programId: programOf(context, global), source: { text } }),
      ).catch((error: unknown) => reportIssues(context, file, error));
      if (options.json) return printJson(context, saved);
      const c = saved.campaign;
      const what = {
        created: 'Created',
        updated: 'Updated draft',
        new_version: 'Created a new version of',
        unchanged: 'Unchanged:',
      }[saved.change];
      context.stdout.write(`${what} campaign ${c.name} version ${c.version} (${c.status}).\n`);
    });
  campaigns
    .command('show')
    .description('a campaign: its latest version, or the one named by --version')
    .argument('<name>', 'the campaign name')
    .option('--version <n>', 'a specific version')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { version?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const version = versionFlag(options.version);
      const view = await withSession(context, global, ({ deps }) =>
        showCampaign(deps, { programId: programOf(context, global), name, version }),
      );
      if (options.json) return printJson(context, view);
      context.stdout.write(describe(view));
    });
  campaigns
    .command('list')
    .description('the latest version of every campaign')
    .option('--status <status>', `only one status: ${CampaignStatus.options.join(', ')}`)
    .option('--json', 'print as JSON')
    .action(async (options: { status?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const status = options.status === undefined ? undefined : CampaignStatus.safeParse(options.status);
      if (status !== undefined && !status.success) {
        throw new AppError('USAGE', `--status must be one of ${CampaignStatus.options.join(', ')}`);
      }
      const list = await withSession(context, global, ({ deps }) =>
        listCampaigns(deps, { programId: programOf(context, global), status: status?.data }),
      );
      if (options.json) return printJson(context, list);
      if (list.length === 0) return void context.stdout.write('No campaigns.\n');
      for (const c of list) {
        context.stdout.write(`${c.name}\tv${c.version}\t${c.status}\t${c.goal}\t${c.channels.join(',')}\n`);
      }
    });
  campaigns
    .command('approve')
    .description('approve the latest draft: its content is frozen from now on')
    .argument('<name>', 'the campaign name')
    .option('--by <who>', 'who approves, as recorded', 'cli')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { by: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const view = await withSession(context, global, ({ deps }) =>
        approveCampaign(deps, { programId: programOf(context, global), name, approvedBy: options.by }),
      );
      if (options.json) return printJson(context, view);
      context.stdout.write(`Approved campaign ${view.name} version ${view.version}.\n`);
    });
  campaigns
    .command('cancel')
    .description('cancel the latest version: nothing more of it is sent')
    .argument('<name>', 'the campaign name')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const view = await withSession(context, global, ({ deps }) =>
        cancelCampaign(deps, { programId: programOf(context, global), name }),
      );
      if (options.json) return printJson(context, view);
      context.stdout.write(`Cancelled campaign ${view.name} version ${view.version}.\n`);
    });
  campaigns
    .command('preview')
    .description(
      'what launching now would do: audience, exclusions per rule, arms, channels, sample messages',
    )
    .argument('<name>', 'the campaign name')
    .option('--member <id...>', 'render the message for these members')
    .option('--version <n>', 'a specific version')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string,
        options: { member?: string[]; version?: string; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const version = versionFlag(options.version);
        const preview = await withSession(context, global, ({ deps }) =>
          previewCampaign(deps, {
            programId: programOf(context, global),
            name,
            version,
            members: options.member,
          }),
        );
        if (options.json) return printJson(context, preview);
        context.stdout.write(describePreview(preview));
      },
    );
  campaigns
    .command('launch')
    .description('decide every audience member and queue the messages (safe to run again)')
    .argument('<name>', 'the campaign name')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const result = await withSession(context, global, ({ deps }) =>
        launchCampaign(deps, { programId: programOf(context, global), name }),
      );
      if (options.json) return printJson(context, result);
      context.stdout.write(
        `Launched ${result.campaign}: ${result.audience} in the audience, ${result.queued} message(s) queued, ${result.holdout} held out.\n`,
      );
    });
  campaigns
    .command('why')
    .description('why a member was or was not sent a campaign, rule by rule')
    .argument('<name>', 'the campaign name')
    .argument('<member>', 'the member id')
    .option('--json', 'print as JSON')
    .action(async (name: string, member: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const answer = await withSession(context, global, ({ deps }) =>
        explainDecision(deps, { programId: programOf(context, global), name, memberId: member }),
      );
      if (options.json) return printJson(context, answer);
      if (answer.decisions.length === 0) {
        context.stdout.write(
          `${member} was not in the audience of ${name} when it was launched (or it has not been launched).\n`,
        );
        return;
      }
      for (const d of answer.decisions) {
        context.stdout.write(
          `${name} ${d.step} (version ${d.version}): ${d.outcome}${d.excludedBy ? ` by ${d.excludedBy}` : ''}${d.channel ? ` on ${d.channel}` : ''}${d.sendAt ? ` at ${d.sendAt}` : ''}\n`,
        );
        for (const r of d.rules) context.stdout.write(`  ${r.outcome.padEnd(5)} ${r.rule}: ${r.detail}\n`);
        if (d.delivery)
          context.stdout.write(`  delivery: ${d.delivery.status} after ${d.delivery.attempts} attempt(s)\n`);
      }
    });
  campaigns
    .command('policy')
    .description(
      "the program's send rules: frequency caps, quiet hours, time zone, sensitive keys, reward thresholds",
    )
    .option('--set <file>', 'change the rules given in this YAML or JSON file; the rest stay')
    .option('--json', 'print as JSON')
    .action(async (options: { set?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const programId = programOf(context, global);
      let changes: unknown;
      if (options.set !== undefined) {
        try {
          changes = parseYaml(await readDefinitionFile(options.set));
        } catch (error) {
          if (error instanceof AppError) throw error;
          throw new AppError(
            'INVALID_INPUT',
            `"${options.set}" is not YAML or JSON: ${(error as Error).message}`,
          );
        }
      }
      const policy = await withSession(context, global, ({ deps }) =>
        changes === undefined
          ? showGovernancePolicy(deps, { programId })
          : setGovernancePolicy(deps, { programId, changes }),
      );
      if (options.json) return printJson(context, policy);
      const caps = Object.entries(policy.frequencyCaps)
        .map(([channel, cap]) => `${channel} ${cap.maxMessages} per ${cap.windowHours}h`)
        .join(', ');
      context.stdout.write(
        [
          `Send rules of "${programId}":`,
          `  frequency caps: ${caps || 'none'}`,
          `  quiet hours: ${policy.quietHours ? `${policy.quietHours.start}-${policy.quietHours.end} in each member's zone` : 'none'}; default zone ${policy.defaultTimezone}`,
          `  sensitive declaration keys: ${policy.sensitiveDeclarationKeys.join(', ') || 'none'}`,
          `  reward thresholds: ${policy.rewardThresholds.join(', ')}`,
          '',
        ].join('\n'),
      );
    });
  campaigns
    .command('suppress')
    .description(
      'put member ids, email addresses or phone numbers on a suppression list: no campaign sends to them',
    )
    .argument('<list>', 'the list name, e.g. legal-hold')
    .argument('<subjects...>', 'member ids, email addresses or phone numbers')
    .option('--reason <text>', 'why, as recorded')
    .option('--json', 'print as JSON')
    .action(
      async (
        list: string,
        subjects: string[],
        options: { reason?: string; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const result = await withSession(context, global, ({ deps }) =>
          addSuppressions(deps, {
            programId: programOf(context, global),
            list,
            subjects,
            reason: options.reason,
          }),
        );
        if (options.json) return printJson(context, result);
        context.stdout.write(
          `Added ${result.added} entr${result.added === 1 ? 'y' : 'ies'} to suppression list "${list}".\n`,
        );
      },
    );
}

function describePreview(p: CampaignPreview): string {
  const pairs = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  return [
    `Preview of ${p.campaign}: audience ${p.audience}`,
    `  excluded: ${pairs(p.excluded)}`,
    `  holdout ${p.holdout}; to send ${p.send} (deferred by quiet hours ${p.deferred})`,
    `  variants: ${pairs(p.variants)}; channels: ${pairs(p.channels)}`,
    ...p.samples.flatMap((s) => [
      `  sample ${s.memberId}: ${s.outcome}${s.channel ? ` on ${s.channel}` : ''}${s.excludedBy ? ` (${s.excludedBy})` : ''}`,
      ...(s.message
        ? [
            `    to ${s.message.recipient}`,
            ...(s.message.subject ? [`    subject: ${s.message.subject}`] : []),
            `    ${s.message.body.replaceAll('\n', '\n    ')}`,
          ]
        : []),
    ]),
    '',
  ].join('\n');
}
