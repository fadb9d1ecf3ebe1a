import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../test/fixtures/database.ts';
import type { Database } from '../db/database.ts';
import { fitBgNbd } from '../domain/clv/bgnbd.ts';
import { CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END, parseCdnowSample } from '../domain/clv/cdnow-fixture.ts';
import { holdoutLength, summarizeTransactions } from '../domain/clv/summaries.ts';
import { cumulativeRepeatTracking, holdoutByFrequency } from '../domain/clv/validation.ts';
import { type ClvReport, clvReport } from './clv-report.ts';
import { silentLog } from './deps.ts';
import { importPreset } from './import-preset.ts';

const SAMPLE = fileURLToPath(new URL('../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url));
const options = {
  calibrationEnd: CDNOW_CALIBRATION_END,
  holdoutEnd: CDNOW_HOLDOUT_END,
  timeUnit: 'week' as const,
};

// The reference: the domain's validation on the sample file parsed directly.
const transactions = parseCdnowSample(readFileSync(SAMPLE, 'utf8'));
const referenceSummaries = summarizeTransactions(transactions, options);
const referenceModel = { model: 'bgnbd' as const, params: fitBgNbd(referenceSummaries).params };

let database: Database;
let report: ClvReport;
const outDir = mkdtempSync(join(tmpdir(), 'clv-report-'));
const programId = freshProgramId('clvr');

beforeAll(async () => {
  database = await openTestDatabase();
  const deps = { db: database.db, clock: () => new Date('2026-11-22T00:00:00Z'), log: silentLog };
  await importPreset(deps, { preset: 'cdnow', file: SAMPLE, programId, rejectsPath: '/dev/null' });
  report = await clvReport(deps, {
    programId,
    calibrationEnd: new Date(CDNOW_CALIBRATION_END),
    holdoutEnd: new Date(CDNOW_HOLDOUT_END),
    outDir,
  });
});
afterAll(() => database.close());

describe('clvReport on the CDNOW sample (calibration to 1997-09-30, holdout to 1998-06-30)', () => {
  it('bins customers exactly as the domain validation does', () => {
    const expected = holdoutByFrequency(referenceSummaries, referenceModel, holdoutLength(options));
    expect(report.holdoutLength).toBe(39);
    expect(report.frequencyBins.map((b) => b.bin)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(report.frequencyBins.map((b) => b.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    report.frequencyBins.forEach((bin, i) => {
      expect(bin.actual).toBeCloseTo(expected[i]?.actual ?? Number.NaN, 10);
      expect(bin.predicted).toBeCloseTo(expected[i]?.predicted ?? Number.NaN, 4);
    });
    expect(report.holdout.actual).toBe(1882);
  });

  it('tracks cumulative repeat purchases as the domain validation does', () => {
    const expected = cumulativeRepeatTracking(transactions, referenceModel, options);
    expect(report.tracking.calibrationPeriods).toBe(39);
    expect(report.tracking.points.map((p) => p.actual)).toEqual(expected.points.map((p) => p.actual));
    expect(report.tracking.points[77]?.actual).toBe(2457 + 1882);
    expect(report.tracking.points[77]?.expected).toBeCloseTo(expected.points[77]?.expected ?? 0, 2);
  });

  it('writes the chart to the output folder', () => {
    expect(report.svgPath).toBe(join(outDir, 'clv-validation.svg'));
    const svg = readFileSync(report.svgPath as string, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toContain('NaN');
  });
});
