import { segmentSettings } from '../../db/queries/segment-definitions.ts';
import { type BuiltInOverrides, resolveThresholds } from '../../domain/segments/built-in-defaults.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import type { SegmentThresholds } from './set-segment-thresholds.ts';

/** The program's overrides of the built-in thresholds and the values in force. */
export async function showSegmentThresholds(
  deps: Pick<Deps, 'db'>,
  { programId }: { programId: string },
): Promise<SegmentThresholds> {
  await requireProgram(deps.db, programId);
  const settings = await segmentSettings(deps.db, programId);
  const overrides = settings.overrides as BuiltInOverrides;
  return {
    programId,
    overrides,
    effective: resolveThresholds(overrides),
    definitionsVersion: settings.definitionsVersion,
  };
}
