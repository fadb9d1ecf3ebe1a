import { Command, CommanderError } from 'commander';
import { AppError, ERROR_CODES } from '../contracts/errors.ts';
import type { CliContext } from './cli-context.ts';
import { registerInit, registerKeys, registerMembers } from './commands/basic-commands.ts';
import { registerCampaigns } from './commands/campaign-commands.ts';
import { registerWorker } from './commands/campaign-worker-command.ts';
import { registerClv } from './commands/clv-command.ts';
import { registerDeliveryCommands } from './commands/delivery-commands.ts';
import { registerImport } from './commands/import-command.ts';
import { registerPreferenceCommands } from './commands/preference-commands.ts';
import { registerRefresh } from './commands/refresh-command.ts';
import { registerReports } from './commands/report-commands.ts';
import { registerSegments } from './commands/segment-commands.ts';
import { registerDemo, registerServe } from './commands/serve-command.ts';
import { registerWebhooks } from './commands/webhook-commands.ts';

/** Builds the `narrowcast` command line over the handed-in context. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('narrowcast')
    .description(
      'Loyalty segmentation and campaigns: explainable segments, governed campaigns, measured lift.',
    )
    .option('--data-dir <dir>', 'embedded database folder (default: NARROWCAST_DATA_DIR or ./.narrowcast)')
    .option(
      '--database-url <url>',
      'PostgreSQL server instead of the embedded database (default: DATABASE_URL)',
    )
    .option('--program <id>', 'the program to act on (default: NARROWCAST_PROGRAM or "demo")')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
  registerInit(program, context);
  registerKeys(program, context);
  registerImport(program, context);
  registerMembers(program, context);
  registerPreferenceCommands(program, context);
  registerRefresh(program, context);
  registerClv(program, context);
  registerCampaigns(program, context);
  registerWorker(program, context);
  registerDeliveryCommands(program, context);
  registerSegments(program, context);
  registerWebhooks(program, context);
  registerReports(program, context);
  registerDemo(program, context);
  registerServe(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the command line; returns the exit code. Errors print one line, never a stack. */
export async function runProgram(context: CliContext, argv: readonly string[]): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ERROR_CODES.USAGE.exit;
    if (error instanceof AppError) {
      context.stderr.write(`error: ${error.message}\n`);
      return ERROR_CODES[error.code].exit;
    }
    // Not an AppError: a bug or an environment failure. One line still, so scripts can log it.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    context.stderr.write(`error: unexpected ${message.replaceAll('\n', ' ')}\n`);
    return ERROR_CODES.INTERNAL.exit;
  }
}
