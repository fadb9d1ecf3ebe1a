import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import type { PreferenceCentreConfig, Quiz } from '../../contracts/preferences.ts';
import {
  configurePreferenceCentre,
  showPreferenceConfig,
} from '../../services/preference-centre/configure-preference-centre.ts';
import { createMemberLink } from '../../services/preference-centre/create-member-link.ts';
import {
  archiveQuiz,
  defineQuiz,
  listQuizzes,
  showQuiz,
} from '../../services/preference-centre/manage-quizzes.ts';
import { rotateLinkKey } from '../../services/preference-centre/rotate-link-key.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

/** A JSON file's content; FILE_UNREADABLE or INVALID_INPUT naming the file otherwise. */
async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** `members link`, `preferences show|configure|rotate-link-key` and `quizzes list|show|put|archive`. */
export function registerPreferenceCommands(program: Command, context: CliContext): void {
  registerMemberLink(program, context);
  registerPreferences(program, context);
  registerQuizzes(program, context);
}

function registerMemberLink(program: Command, context: CliContext): void {
  const members = program.commands.find((command) => command.name() === 'members');
  if (!members) throw new Error('the members command must be registered before the preference commands');
  members
    .command('link')
    .description("print a signed, expiring link to the member's preference page")
    .argument('<id>', 'the member external id')
    .option('--ttl-days <days>', "days the link stays valid (default: the program's linkTtlDays, 30)")
    .option('--base-url <url>', 'where members reach `narrowcast serve` (default: http://127.0.0.1:PORT)')
    .option('--json', 'print the link and its expiry as JSON')
    .action(
      async (
        id: string,
        options: { ttlDays?: string; baseUrl?: string; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const ttlDays = options.ttlDays === undefined ? undefined : Number(options.ttlDays);
        if (ttlDays !== undefined && !Number.isInteger(ttlDays))
          throw new AppError('USAGE', '--ttl-days must be a whole number of days');
        const baseUrl = options.baseUrl ?? `http://127.0.0.1:${context.config.port || 3000}`;
        if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
          throw new AppError('USAGE', '--base-url must be an http(s) URL such as https://prefs.example.com');
        const link = await withSession(context, global, ({ deps }) =>
          createMemberLink(deps, { programId: programOf(context, global), memberId: id, ttlDays, baseUrl }),
        );
        if (options.json) printJson(context, link);
        else context.stdout.write(`${link.url}\n`);
      },
    );
}

function registerPreferences(program: Command, context: CliContext): void {
  const preferences = program
    .command('preferences')
    .description("the member preference centre's options and points, per program");
  preferences
    .command('show')
    .description('the configuration in force (the default until one is set)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const config = await withSession(context, global, ({ deps }) =>
        showPreferenceConfig(deps, { programId: programOf(context, global) }),
      );
      if (options.json) printJson(context, config);
      else context.stdout.write(describeConfig(config));
    });
  preferences
    .command('configure')
    .description('replace the configuration with a JSON file (see `preferences show --json` for the shape)')
    .argument('<file>', 'JSON file')
    .option('--json', 'print the stored configuration as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const config = await readJsonFile(file);
      const stored = await withSession(context, global, ({ deps }) =>
        configurePreferenceCentre(deps, { programId: programOf(context, global), config }),
      );
      if (options.json) printJson(context, stored);
      else context.stdout.write(`Configured the preference centre of "${programOf(context, global)}".\n`);
    });
  preferences
    .command('rotate-link-key')
    .description(
      'sign member links and forms with a new key; links signed before keep working for a grace period',
    )
    .option(
      '--grace-days <days>',
      "days the replaced key still verifies (default: the program's linkTtlDays; 0 voids them now)",
    )
    .option('--json', 'print the rotation as JSON')
    .action(async (options: { graceDays?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const graceDays = options.graceDays === undefined ? undefined : Number(options.graceDays);
      if (graceDays !== undefined && !Number.isInteger(graceDays))
        throw new AppError('USAGE', '--grace-days must be a whole number of days');
      const rotation = await withSession(context, global, ({ deps }) =>
        rotateLinkKey(deps, { programId: programOf(context, global), graceDays }),
      );
      if (options.json) printJson(context, rotation);
      else
        context.stdout.write(
          `New member-link key ${rotation.keyId} for "${rotation.programId}"; links signed before work until ${rotation.previousAcceptedUntil} (or their own expiry).\n`,
        );
    });
}

function describeConfig(config: PreferenceCentreConfig): string {
  const choices = (
    name: string,
    section: { enabled: boolean; label: string; options: { value: string }[]; points: number },
  ) =>
    `  ${name}: ${section.enabled ? `"${section.label}" ${section.options.map((o) => o.value).join(', ')} (${section.points} points)` : 'off'}`;
  return [
    `${config.title}: links valid ${config.linkTtlDays} days, values stale after ${config.staleAfterDays} days`,
    choices('interests', config.interests),
    choices('frequency', config.frequency),
    choices('values', config.values),
    choices('rewards', config.rewards),
    `  channels: ${config.channels.enabled ? `${config.channels.channels.join(', ')} (${config.channels.points} points)` : 'off'}`,
    `  birthday: ${config.birthday.enabled ? `${config.birthday.points} points` : 'off'}`,
    `  complete profile: ${config.profileCompletePoints} points`,
    '',
  ].join('\n');
}

function registerQuizzes(program: Command, context: CliContext): void {
  const quizzes = program
    .command('quizzes')
    .description("quizzes, polls and challenges shown on members' preference pages");
  quizzes
    .command('list')
    .description('the active quizzes, polls and challenges')
    .option('--all', 'include archived ones')
    .option('--json', 'print as JSON')
    .action(async (options: { all?: boolean; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const list = await withSession(context, global, ({ deps }) =>
        listQuizzes(deps, { programId: programOf(context, global), includeArchived: options.all === true }),
      );
      if (options.json) return printJson(context, { quizzes: list });
      if (list.length === 0) return void context.stdout.write('No quizzes, polls or challenges.\n');
      context.stdout.write(list.map(describeQuiz).join(''));
    });
  quizzes
    .command('show')
    .description('one quiz, poll or challenge')
    .argument('<id>', 'its id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const quiz = await withSession(context, global, ({ deps }) =>
        showQuiz(deps, { programId: programOf(context, global), quizId: id }),
      );
      if (options.json) printJson(context, quiz);
      else context.stdout.write(describeQuiz(quiz));
    });
  quizzes
    .command('put')
    .description('create or replace a quiz, poll or challenge from a JSON file')
    .argument(
      '<file>',
      'JSON: {id, kind, title, points, questions: [{id, text, answers: [{value, label, segment?}]}]}',
    )
    .option('--json', 'print the stored definition as JSON')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const definition = await readJsonFile(file);
      const { quiz, created } = await withSession(context, global, ({ deps }) =>
        defineQuiz(deps, { programId: programOf(context, global), definition }),
      );
      if (options.json) printJson(context, quiz);
      else context.stdout.write(`${created ? 'Created' : 'Replaced'} ${quiz.kind} "${quiz.id}".\n`);
    });
  quizzes
    .command('archive')
    .description("take a quiz, poll or challenge off members' pages (its answers stay)")
    .argument('<id>', 'its id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const quiz = await withSession(context, global, ({ deps }) =>
        archiveQuiz(deps, { programId: programOf(context, global), quizId: id }),
      );
      if (options.json) printJson(context, quiz);
      else context.stdout.write(`Archived ${quiz.kind} "${quiz.id}".\n`);
    });
}

function describeQuiz(quiz: Quiz): string {
  const lines = [
    `${quiz.kind} ${quiz.id}: ${quiz.title} (${quiz.points} points${quiz.status === 'archived' ? ', archived' : ''})`,
  ];
  for (const q of quiz.questions) {
    lines.push(`  ${q.text} [${q.key}]`);
    for (const a of q.answers) lines.push(`    ${a.value}: ${a.label}${a.segment ? ` -> ${a.segment}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
