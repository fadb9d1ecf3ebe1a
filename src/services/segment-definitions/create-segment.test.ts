import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';
import { createSegment } from './create-segment.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function newProgram() {
  const programId = freshProgramId('seg');
  await createProgram(deps, { programId });
  return programId;
}

const bigSpenders = {
  scheme: 'campaign_targets',
  name: 'big_spenders',
  label: 'Big spenders',
  rule: { all: [{ feature: 'monetary_total', op: 'gte', value: 500 }] },
};

/** The AppError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('createSegment', () => {
  it('stores version 1 with the rule normalised and bumps the definitions version', async () => {
    const programId = await newProgram();
    const created = await createSegment(deps, { programId, input: bigSpenders });
    expect(created.latest).toMatchObject({
      scheme: 'campaign_targets',
      name: 'big_spenders',
      version: 1,
      position: 0,
      schemeMode: 'first_match',
      deleted: false,
      rule: { all: [{ feature: 'monetary_total', op: 'gte', value: '500.0000' }] },
    });
    expect(created.definitionsVersion).toBe(1);
    const schemes = await loadProgramSchemes(deps.db, programId);
    expect(schemes.definitionsVersion).toBe(1);
    expect(schemes.custom.map((s) => s.segments.map((x) => x.name))).toEqual([['big_spenders']]);
  });

  it('places a new segment after the scheme’s last one unless a position is given', async () => {
    const programId = await newProgram();
    await createSegment(deps, { programId, input: bigSpenders });
    const second = await createSegment(deps, {
      programId,
      input: { ...bigSpenders, name: 'lapsed', rule: { feature: 'recency_days', op: 'gt', value: 365 } },
    });
    expect(second.latest.position).toBe(1);
    expect(second.definitionsVersion).toBe(2);
    const first = await createSegment(deps, {
      programId,
      input: {
        ...bigSpenders,
        name: 'first',
        position: 0,
        rule: { feature: 'frequency_orders', op: 'eq', value: 1 },
      },
    });
    expect(first.latest.position).toBe(0);
  });

  it('rejects an unknown feature and a wrong value type, each with its JSON path, storing nothing', async () => {
    const programId = await newProgram();
    const error = await failure(
      createSegment(deps, {
        programId,
        input: {
          ...bigSpenders,
          rule: {
            all: [
              { feature: 'monetary_totl', op: 'gte', value: 500 },
              { feature: 'recency_days', op: 'lt', value: 'soon' },
            ],
          },
        },
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    const issues = (error.details as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['rule.all[0].feature', 'rule.all[1].value']);
    expect(issues[0]?.message).toContain('monetary_totl');
    expect(error.message).toContain('rule.all[0].feature');
    const stored = await deps.db
      .selectFrom('segment_definitions')
      .select('name')
      .where('program_id', '=', programId)
      .execute();
    expect(stored).toEqual([]);
  });

  it('names each missing or malformed field of the definition', async () => {
    const programId = await newProgram();
    const error = await failure(
      createSegment(deps, { programId, input: { scheme: 'x', name: 'Bad Name', rule: {} } }),
    );
    const paths = (error.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'label']));
  });

  it('refuses a built-in scheme name', async () => {
    const programId = await newProgram();
    for (const scheme of ['loyalty', 'rfm', 'lifecycle', 'apostle', 'declared']) {
      const error = await failure(createSegment(deps, { programId, input: { ...bigSpenders, scheme } }));
      expect(error.code).toBe('INVALID_INPUT');
      expect((error.details as { issues: { path: string }[] }).issues[0]?.path).toBe('scheme');
    }
  });

  it('refuses a second definition of a live segment with ID_CONFLICT', async () => {
    const programId = await newProgram();
    await createSegment(deps, { programId, input: bigSpenders });
    const error = await failure(createSegment(deps, { programId, input: bigSpenders }));
    expect(error.code).toBe('ID_CONFLICT');
  });

  it('keeps one mode per scheme', async () => {
    const programId = await newProgram();
    await createSegment(deps, { programId, input: { ...bigSpenders, schemeMode: 'overlapping' } });
    const inherits = await createSegment(deps, {
      programId,
      input: { ...bigSpenders, name: 'other', rule: { feature: 'frequency_orders', op: 'gt', value: 3 } },
    });
    expect(inherits.latest.schemeMode).toBe('overlapping');
    const error = await failure(
      createSegment(deps, { programId, input: { ...bigSpenders, name: 'third', schemeMode: 'first_match' } }),
    );
    expect((error.details as { issues: { path: string }[] }).issues[0]?.path).toBe('schemeMode');
  });

  it('answers NOT_FOUND for a program that does not exist', async () => {
    const error = await failure(
      createSegment(deps, { programId: freshProgramId('none'), input: bigSpenders }),
    );
    expect(error.code).toBe('NOT_FOUND');
  });
});
