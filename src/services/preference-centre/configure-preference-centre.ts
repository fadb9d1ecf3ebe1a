import { AppError } from '../../contracts/errors.ts';
import {
  PreferenceCentreConfig as ConfigSchema,
  type PreferenceCentreConfig,
} from '../../contracts/preferences.ts';
import type { Deps } from '../deps.ts';
import { formatPath } from '../ingest/validate-record.ts';
import { requireProgram } from '../require-program.ts';
import { preferenceConfig } from './program-preferences.ts';

/** The program's preference-centre configuration (the default until one is set). */
export async function showPreferenceConfig(
  deps: Pick<Deps, 'db'>,
  { programId }: { programId: string },
): Promise<PreferenceCentreConfig> {
  await requireProgram(deps.db, programId);
  return preferenceConfig(deps.db, programId);
}

/** Replaces the program's preference-centre configuration; INVALID_INPUT lists each problem with its JSON path. */
export async function configurePreferenceCentre(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, config }: { programId: string; config: unknown },
): Promise<PreferenceCentreConfig> {
  const parsed = ConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path) || '(config)',
      message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
    }));
    throw new AppError(
      'INVALID_INPUT',
      `the preference-centre configuration is invalid (first: ${problems[0]?.path}: ${problems[0]?.message})`,
      { problems },
    );
  }
  await requireProgram(deps.db, programId);
  await deps.db
    .insertInto('preference_centres')
    .values({ program_id: programId, config: JSON.stringify(parsed.data), updated_at: deps.clock() })
    .onConflict((oc) =>
      oc.column('program_id').doUpdateSet({ config: JSON.stringify(parsed.data), updated_at: deps.clock() }),
    )
    .execute();
  return parsed.data;
}
