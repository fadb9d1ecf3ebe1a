import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { AppError } from '../../contracts/errors.ts';
import { BUILT_IN_DEFAULTS } from '../../domain/segments/built-in-defaults.ts';
import { createProgram } from '../create-program.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';
import { setSegmentThresholds } from './set-segment-thresholds.ts';
import { showSegmentThresholds } from './show-segment-thresholds.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function newProgram() {
  const programId = freshProgramId('thr');
  await createProgram(deps, { programId });
  return programId;
}

async function issuesOf(overrides: unknown): Promise<string[]> {
  const programId = await newProgram();
  const error = await setSegmentThresholds(deps, { programId, overrides }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('INVALID_INPUT');
  return ((error as AppError).details as { issues: { path: string }[] }).issues.map((i) => i.path);
}

describe('setSegmentThresholds', () => {
  it('stores overrides that the schemes then use, and bumps the definitions version', async () => {
    const programId = await newProgram();
    const result = await setSegmentThresholds(deps, {
      programId,
      overrides: { loyalty: { vipMinClvPercentile: 90 }, lifecycle: { activeWithinDays: 60 } },
    });
    expect(result.effective.loyalty.vipMinClvPercentile).toBe(90);
    expect(result.effective.loyalty.vipMinEngagements90d).toBe(
      BUILT_IN_DEFAULTS.loyalty.vipMinEngagements90d,
    );
    expect(result.definitionsVersion).toBe(1);
    const schemes = await loadProgramSchemes(deps.db, programId);
    expect(schemes.overrides).toEqual({
      loyalty: { vipMinClvPercentile: 90 },
      lifecycle: { activeWithinDays: 60 },
    });
    const shown = await showSegmentThresholds(deps, { programId });
    expect(shown.effective.lifecycle.activeWithinDays).toBe(60);

    const replaced = await setSegmentThresholds(deps, { programId, overrides: {} });
    expect(replaced.effective.loyalty.vipMinClvPercentile).toBe(
      BUILT_IN_DEFAULTS.loyalty.vipMinClvPercentile,
    );
    expect(replaced.definitionsVersion).toBe(2);
  });

  it('rejects unknown keys at every level with their paths', async () => {
    expect(await issuesOf({ loyalty: { vipMinClvPercentil: 90 }, lifecyle: {} })).toEqual([
      'loyalty.vipMinClvPercentil',
      'lifecyle',
    ]);
  });

  it('rejects values of the wrong type with their paths', async () => {
    expect(
      await issuesOf({
        apostle: { loyalMinOrders: 'two' },
        rfm: [{ name: 'x', label: 'X', r: [1, 6], f: [1, 5], m: [1, 5] }],
        declared: { ecoAllies: { key: 'value', values: [] } },
      }),
    ).toEqual(['apostle.loyalMinOrders', 'rfm[0].r[1]', 'declared.ecoAllies.values']);
  });

  it('accepts every default as an override of itself', async () => {
    const programId = await newProgram();
    const { rfm, ...groups } = BUILT_IN_DEFAULTS;
    const result = await setSegmentThresholds(deps, { programId, overrides: { ...groups, rfm } });
    expect(result.effective).toEqual(BUILT_IN_DEFAULTS);
  });
});
