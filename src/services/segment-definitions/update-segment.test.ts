import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';
import { createSegment } from './create-segment.ts';
import { deleteSegment } from './delete-segment.ts';
import { showSegment } from './show-segment.ts';
import { updateSegment } from './update-segment.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const key = { scheme: 'targets', name: 'big_spenders' };

async function programWithSegment() {
  const programId = freshProgramId('seg');
  await createProgram(deps, { programId });
  await createSegment(deps, {
    programId,
    input: {
      ...key,
      label: 'Big spenders',
      description: 'spend',
      rule: { feature: 'monetary_total', op: 'gte', value: 500 },
    },
  });
  return programId;
}

describe('updateSegment', () => {
  it('adds a version carrying over what was not changed, and keeps the old one', async () => {
    const programId = await programWithSegment();
    const updated = await updateSegment(deps, {
      programId,
      ...key,
      input: { rule: { feature: 'monetary_total', op: 'gte', value: 1000 } },
    });
    expect(updated.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(updated.latest).toMatchObject({ version: 2, label: 'Big spenders', description: 'spend' });
    expect(updated.latest.rule).toEqual({ feature: 'monetary_total', op: 'gte', value: '1000.0000' });
    expect(updated.versions[1]?.rule).toEqual({ feature: 'monetary_total', op: 'gte', value: '500.0000' });
    expect(updated.definitionsVersion).toBe(2);
    const schemes = await loadProgramSchemes(deps.db, programId);
    expect(schemes.versions.get('targets/big_spenders')).toBe(2);
  });

  it('clears the description when given null', async () => {
    const programId = await programWithSegment();
    const updated = await updateSegment(deps, {
      programId,
      ...key,
      input: { description: null, label: 'Whales' },
    });
    expect(updated.latest).toMatchObject({ label: 'Whales', description: null });
  });

  it('rejects a bad rule with its path and adds no version', async () => {
    const programId = await programWithSegment();
    const error = await updateSegment(deps, {
      programId,
      ...key,
      input: { rule: { any: [{ feature: 'points_balance', op: 'within_days', value: 3 }] } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_INPUT');
    expect(((error as AppError).details as { issues: { path: string }[] }).issues[0]?.path).toMatch(
      /^rule\.any\[0\]/,
    );
    expect((await showSegment(deps, { programId, ...key })).versions).toHaveLength(1);
  });

  it('answers NOT_FOUND for a segment of another program', async () => {
    const programId = await programWithSegment();
    const other = freshProgramId('seg');
    await createProgram(deps, { programId: other });
    const error = await updateSegment(deps, { programId: other, ...key, input: { label: 'x' } }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('NOT_FOUND');
    expect((await showSegment(deps, { programId, ...key })).versions).toHaveLength(1);
  });
});

describe('deleteSegment', () => {
  it('marks the latest version deleted, drops it from the schemes, and allows defining it again', async () => {
    const programId = await programWithSegment();
    const deleted = await deleteSegment(deps, { programId, ...key });
    expect(deleted.latest).toMatchObject({ version: 1, deleted: true });
    expect(deleted.definitionsVersion).toBe(2);
    expect((await loadProgramSchemes(deps.db, programId)).custom).toEqual([]);

    const again = await deleteSegment(deps, { programId, ...key }).catch((e: unknown) => e);
    expect((again as AppError).code).toBe('NOT_FOUND');
    const update = await updateSegment(deps, { programId, ...key, input: { label: 'x' } }).catch(
      (e: unknown) => e,
    );
    expect((update as AppError).code).toBe('NOT_FOUND');

    const recreated = await createSegment(deps, {
      programId,
      input: { ...key, label: 'Back', rule: { feature: 'frequency_orders', op: 'gte', value: 2 } },
    });
    expect(recreated.versions.map((v) => [v.version, v.deleted])).toEqual([
      [2, false],
      [1, true],
    ]);
  });
});

describe('showSegment', () => {
  it('answers NOT_FOUND for a name never defined', async () => {
    const programId = await programWithSegment();
    const error = await showSegment(deps, { programId, scheme: 'targets', name: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('NOT_FOUND');
  });
});

describe('concurrent changes', () => {
  it('numbers versions without gaps or collisions when updates race', async () => {
    const programId = await programWithSegment();
    const labels = Array.from({ length: 6 }, (_, i) => `Label ${i}`);
    await Promise.all(labels.map((label) => updateSegment(deps, { programId, ...key, input: { label } })));
    const { versions, definitionsVersion } = await showSegment(deps, { programId, ...key });
    expect(versions.map((v) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(definitionsVersion).toBe(7);
    expect(new Set(versions.slice(0, 6).map((v) => v.label))).toEqual(new Set(labels));
  });
});
