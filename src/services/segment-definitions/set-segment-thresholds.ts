import { z } from 'zod';
import { SegmentName } from '../../contracts/segments.ts';
import { bumpDefinitionsVersion } from '../../db/queries/segment-definitions.ts';
import {
  BUILT_IN_DEFAULTS,
  type BuiltInOverrides,
  type BuiltInThresholds,
  resolveThresholds,
} from '../../domain/segments/built-in-defaults.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { parseBody } from './definition-input.ts';

// The override document mirrors BuiltInOverrides, and its numeric groups are built from the
// defaults' own keys, so a threshold added to the defaults can be overridden without a change here
// and a misspelt key is refused with its path ("loyalty.vipMinClvPercentil is not a known setting").

const numbers = (group: Record<string, number>) =>
  z.strictObject(Object.fromEntries(Object.keys(group).map((key) => [key, z.number().finite()]))).partial();

const score = z.number().int().min(1).max(5);
const scoreRange = z
  .tuple([score, score])
  .refine(([low, high]) => low <= high, 'must be [low, high] with low <= high');
const selector = z.strictObject({ key: z.string().min(1), values: z.array(z.string().min(1)).min(1) });

/** A program's overrides of the built-in thresholds, as stored in segment_settings.overrides. */
export const BuiltInOverridesInput = z.strictObject({
  loyalty: numbers(BUILT_IN_DEFAULTS.loyalty as unknown as Record<string, number>).optional(),
  lifecycle: numbers(BUILT_IN_DEFAULTS.lifecycle as unknown as Record<string, number>).optional(),
  apostle: numbers(BUILT_IN_DEFAULTS.apostle as unknown as Record<string, number>).optional(),
  rfm: z
    .array(
      z.strictObject({
        name: SegmentName,
        label: z.string().min(1).max(100),
        r: scoreRange,
        f: scoreRange,
        m: scoreRange,
      }),
    )
    .min(1)
    .optional(),
  declared: z
    .strictObject({
      maxAgeDays: z.number().int().min(0),
      ecoAllies: selector,
      routineSeekers: selector,
      flavorInnovators: selector,
      interestKey: z.string().min(1),
    })
    .partial()
    .optional(),
});

/** The stored overrides and the thresholds in force with them. */
export interface SegmentThresholds {
  programId: string;
  overrides: BuiltInOverrides;
  effective: BuiltInThresholds;
  definitionsVersion: number;
}

/**
 * Replaces the program's overrides of the built-in thresholds (the whole document: a key left out
 * goes back to its default). Bumps the definitions version so the next refresh re-evaluates.
 */
export async function setSegmentThresholds(
  deps: Pick<Deps, 'db'>,
  { programId, overrides }: { programId: string; overrides: unknown },
): Promise<SegmentThresholds> {
  const parsed = parseBody(BuiltInOverridesInput, overrides, 'the threshold overrides') as BuiltInOverrides;
  await requireProgram(deps.db, programId);
  const definitionsVersion = await deps.db.transaction().execute(async (trx) => {
    const version = await bumpDefinitionsVersion(trx, programId);
    await trx
      .updateTable('segment_settings')
      .set({ overrides: JSON.stringify(parsed) })
      .where('program_id', '=', programId)
      .execute();
    return version;
  });
  return { programId, overrides: parsed, effective: resolveThresholds(parsed), definitionsVersion };
}
