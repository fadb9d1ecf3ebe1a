import { AppError } from '../contracts/errors.ts';
import type { Deps } from './deps.ts';

export interface CreateProgramOptions {
  programId: string;
  name?: string | undefined;
  currency?: string | undefined;
  /** A fixed "now" for historical datasets (e.g. Online Retail is analysed as of 2011-12-10). */
  asOf?: Date | undefined;
  /** When true, an existing program is left as it is instead of failing. */
  ifMissing?: boolean;
}

/** Creates a loyalty program; returns whether it was created now. */
export async function createProgram(
  deps: Pick<Deps, 'db'>,
  options: CreateProgramOptions,
): Promise<{ created: boolean }> {
  const result = await deps.db
    .insertInto('programs')
    .values({
      id: options.programId,
      name: options.name ?? options.programId,
      currency: options.currency ?? 'USD',
      as_of: options.asOf ?? null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  const created = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (!created && !options.ifMissing) {
    throw new AppError('USAGE', `program "${options.programId}" already exists`);
  }
  return { created };
}
