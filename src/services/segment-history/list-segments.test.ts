import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { seedMembers, seedMemberships } from '../../../test/fixtures/segment-seed.ts';
import { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { createSegment } from '../segment-definitions/create-segment.ts';
import { setSegmentThresholds } from '../segment-definitions/set-segment-thresholds.ts';
import { listSegments } from './list-segments.ts';
import { resolveSegment } from './resolve-segment.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function newProgram() {
  const programId = freshProgramId('ls');
  await createProgram(deps, { programId });
  return programId;
}

describe('listSegments', () => {
  it('lists built-in and custom segments with their sizes and versions', async () => {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 5);
    await seedMemberships(deps, programId, 'loyalty', 'vips', ids.slice(0, 2));
    await seedMemberships(deps, programId, 'lifecycle', 'active', ids);
    await createSegment(deps, {
      programId,
      input: {
        scheme: 'targets',
        name: 'big',
        label: 'Big',
        rule: { feature: 'frequency_orders', op: 'gte', value: 3 },
      },
    });
    await setSegmentThresholds(deps, { programId, overrides: { loyalty: { vipMinClvPercentile: 90 } } });
    await seedMemberships(deps, programId, 'targets', 'big', ids.slice(4));

    // Another program's members do not count.
    const other = await newProgram();
    await seedMemberships(deps, other, 'loyalty', 'vips', await seedMembers(deps, other, 3));

    const list = await listSegments(deps, { programId });
    expect(list.definitionsVersion).toBe(2);
    const byKey = new Map(list.segments.map((s) => [`${s.scheme}/${s.name}`, s]));
    expect(byKey.get('loyalty/vips')).toMatchObject({ size: 2, version: 'built-in', builtIn: true });
    expect(byKey.get('lifecycle/active')).toMatchObject({ size: 5, version: 'built-in' });
    expect(byKey.get('lifecycle/churned')).toMatchObject({ size: 0 });
    expect(byKey.get('rfm/champions')).toMatchObject({ size: 0, label: 'Champions' });
    expect(byKey.get('targets/big')).toMatchObject({ size: 1, version: 1, builtIn: false, label: 'Big' });
    expect(list.segments.filter((s) => s.scheme === 'apostle')).toHaveLength(5);
  });

  it('lists a segment that holds members without a definition in force', async () => {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 2);
    await seedMemberships(deps, programId, 'declared', 'interest:coffee', ids);
    const list = await listSegments(deps, { programId, scheme: 'declared' });
    expect(list.segments.map((s) => s.name)).toContain('interest:coffee');
    expect(list.segments.every((s) => s.scheme === 'declared')).toBe(true);
    expect(list.segments.find((s) => s.name === 'interest:coffee')?.size).toBe(2);
  });

  it('answers NOT_FOUND for a program that does not exist', async () => {
    const error = await listSegments(deps, { programId: freshProgramId('none') }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('NOT_FOUND');
  });
});

describe('resolveSegment', () => {
  it('needs the scheme for a name found in several schemes', async () => {
    const programId = await newProgram();
    const error = await resolveSegment(deps, { programId, name: 'new' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('USAGE');
    expect((error as AppError).message).toContain('rfm, lifecycle');
    expect(await resolveSegment(deps, { programId, name: 'new', scheme: 'lifecycle' })).toEqual({
      scheme: 'lifecycle',
      segment: 'new',
    });
    expect(await resolveSegment(deps, { programId, name: 'rfm/new' })).toEqual({
      scheme: 'rfm',
      segment: 'new',
    });
    expect(await resolveSegment(deps, { programId, name: 'vips' })).toEqual({
      scheme: 'loyalty',
      segment: 'vips',
    });
  });

  it('answers NOT_FOUND for an unknown name', async () => {
    const programId = await newProgram();
    const error = await resolveSegment(deps, { programId, name: 'nobody' }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('NOT_FOUND');
  });
});
