import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../test/fixtures/database.ts';
import type { ClvFitReport } from '../contracts/clv.ts';
import type { Database } from '../db/database.ts';
import { readClvSummaries } from '../db/queries/clv-kept-summaries.ts';
import { CDNOW_CALIBRATION_END } from '../domain/clv/cdnow-fixture.ts';
import { countDataOf, groupByFrequency } from '../domain/clv/frequency-groups.ts';
import { groupSpend, spendDataOf } from '../domain/clv/gamma-gamma.ts';
import { summariesOf } from './clv-scoring.ts';
import { silentLog } from './deps.ts';
import { fitClv, fitDataOf } from './fit-clv.ts';
import { importPreset } from './import-preset.ts';
import { showMember } from './show-member.ts';

const SAMPLE = fileURLToPath(new URL('../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url));
const calibrationEnd = new Date(CDNOW_CALIBRATION_END);

let database: Database;
const programId = freshProgramId('clv');
const deps = () => ({ db: database.db, clock: () => new Date('2026-11-22T00:00:00Z'), log: silentLog });

beforeAll(async () => {
  database = await openTestDatabase();
  await importPreset(deps(), { preset: 'cdnow', file: SAMPLE, programId, rejectsPath: '/dev/null' });
});
afterAll(() => database.close());

// The fits below start from purchases imported through the real preset path and summarised in SQL,
// so matching the published figures shows the SQL summaries equal the reference ones.
describe('fitClv on the CDNOW sample (weekly, calibration to 1997-09-30)', () => {
  let bgnbd: ClvFitReport;
  beforeAll(async () => {
    bgnbd = await fitClv(deps(), { programId, calibrationEnd, timeUnit: 'week', model: 'bgnbd' });
  });

  // Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2),
  // section 4: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
  it('reproduces the published BG/NBD estimates and log-likelihood', () => {
    expect(bgnbd.model).toBe('bgnbd');
    expect(bgnbd.n).toBe(2357);
    expect(bgnbd.converged).toBe(true);
    expect(bgnbd.params.r).toBeCloseTo(0.243, 3);
    expect(bgnbd.params.alpha).toBeCloseTo(4.414, 3);
    expect(bgnbd.params.a).toBeCloseTo(0.793, 3);
    expect(bgnbd.params.b).toBeCloseTo(2.426, 3);
    expect(bgnbd.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  // Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (brucehardie.com/notes/025):
  // p = 6.25, q = 3.74, gamma = 15.44 on the 946 customers with a repeat purchase.
  it('reproduces the published Gamma-Gamma estimates on the repeat buyers', () => {
    const spend = bgnbd.spendModel;
    expect(spend?.n).toBe(946);
    expect(spend?.params.p).toBeCloseTo(6.25, 2);
    expect(spend?.params.q).toBeCloseTo(3.74, 2);
    expect(spend?.params.gamma).toBeCloseTo(15.44, 2);
    expect(spend?.logLikelihood).toBeCloseTo(-4055.92, 2);
  });

  // Fader, Hardie & Lee (2005), section 4 (Pareto/NBD on the same data): r = 0.553, alpha = 10.578,
  // s = 0.606, beta = 11.669, LL = -9595.0.
  it('reproduces the published Pareto/NBD estimates', async () => {
    const fit = await fitClv(deps(), { programId, calibrationEnd, timeUnit: 'week', model: 'pareto-nbd' });
    expect(fit.params.r).toBeCloseTo(0.553, 3);
    expect(fit.params.alpha).toBeCloseTo(10.578, 3);
    expect(fit.params.s).toBeCloseTo(0.606, 3);
    expect(fit.params.beta).toBeCloseTo(11.669, 3);
    expect(fit.logLikelihood).toBeCloseTo(-9595.0, 1);
    // Re-scoring replaced the predictions: they now name the Pareto/NBD model.
    const view = await showMember(deps(), { programId, memberId: '00004' });
    expect(view.predictions?.model).toBe('pareto-nbd');
    expect(view.predictions?.modelId).toBe(fit.modelId);
    bgnbd = await fitClv(deps(), { programId, calibrationEnd, timeUnit: 'week', model: 'bgnbd' });
  });

  it('scores every customer and shows the predictions on the member', async () => {
    expect(bgnbd.scored).toBe(2357);
    const view = await showMember(deps(), { programId, memberId: '00004' });
    const p = view.predictions;
    expect(p).not.toBeNull();
    expect(p?.modelId).toBe(bgnbd.modelId);
    expect(p?.spendModelId).toBe(bgnbd.spendModel?.modelId);
    expect(p?.pAlive).toBeGreaterThan(0);
    expect(p?.pAlive).toBeLessThanOrEqual(1);
    expect(p?.expectedPurchases).toBeGreaterThan(0);
    expect(Number(p?.expectedSpend)).toBeGreaterThan(0);
    expect(Number(p?.clv)).toBeCloseTo(Number(p?.expectedSpend) * (p?.expectedPurchases ?? 0), -1);
    expect(p?.clvPercentile).toBeGreaterThanOrEqual(0);
    expect(p?.calibrationEnd).toBe(calibrationEnd.toISOString());
  });

  it('gives P(alive) = 1 to every customer without a repeat purchase under BG/NBD', async () => {
    const columns = await readClvSummaries(database.db, { programId, calibrationEnd });
    const once = Array.from(columns.memberId).filter((_, i) => columns.x[i] === 0);
    const rows = await database.db
      .selectFrom('member_predictions')
      .select('p_alive')
      .where('program_id', '=', programId)
      .where('member_id', 'in', once)
      .execute();
    expect(rows).toHaveLength(1411);
    expect(rows.every((r) => r.p_alive === 1)).toBe(true);
  });

  it('counts margin and discounting into CLV', async () => {
    const before = await showMember(deps(), { programId, memberId: '00004' });
    await fitClv(deps(), { programId, calibrationEnd, margin: 0.5, discountRate: 0 });
    const after = await showMember(deps(), { programId, memberId: '00004' });
    expect(Number(after.predictions?.clv)).toBeGreaterThan(0.5 * Number(before.predictions?.clv));
    expect(after.predictions?.clvPercentile).toBe(before.predictions?.clvPercentile);
  });
});

describe('fitDataOf', () => {
  // The fits see customers only through these groups, so they must be exactly the groups of the
  // per-member summaries the scoring uses.
  it('counts the same (x, tx, T) and (x, zbar) groups as the per-member summaries give', async () => {
    const columns = await readClvSummaries(database.db, { programId, calibrationEnd });
    for (const timeUnit of ['day', 'week'] as const) {
      const data = fitDataOf(columns, timeUnit);
      const summaries = summariesOf(columns, timeUnit);
      const reference = countDataOf(groupByFrequency(summaries));
      const counts = (d: typeof reference) =>
        Array.from(d.x, (x, i) => `${x}|${d.tx[i]}|${d.T[i]}|${d.count[i]}`).sort();
      expect(counts(data.counts)).toEqual(counts(reference));
      const spend = spendDataOf(groupSpend(summaries));
      expect(data.spend.customers).toBe(946);
      expect(data.spend.runCount).toEqual(spend.runCount);
      const totals = (d: typeof spend) =>
        Array.from(d.x, (x, i) => `${x}|${(d.total[i] as number).toFixed(4)}|${d.count[i]}`).sort();
      expect(totals(data.spend)).toEqual(totals(spend));
    }
  });

  it('fits on every k-th customer when asked for a sample, and scores everyone', async () => {
    const report = await fitClv(deps(), { programId, calibrationEnd, fitSample: 1000 });
    expect(report.n).toBe(1000);
    expect(report.scored).toBe(2357);
  });
});

describe('fitClv refusals', () => {
  it('refuses a calibration end before any order', async () => {
    await expect(fitClv(deps(), { programId, calibrationEnd: new Date('1990-01-01') })).rejects.toThrow(
      /no orders on or before 1990-01-01/,
    );
  });

  it('shows null predictions before a program is fitted', async () => {
    const other = freshProgramId('clv');
    await importPreset(deps(), { preset: 'cdnow', file: SAMPLE, programId: other, rejectsPath: '/dev/null' });
    const view = await showMember(deps(), { programId: other, memberId: '00004' });
    expect(view.predictions).toBeNull();
  });
});
