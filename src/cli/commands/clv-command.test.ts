import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { ClvFitReport } from '../../contracts/clv.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { MemberView } from '../../contracts/member-view.ts';
import { silentLog } from '../../services/deps.ts';
import { importPreset } from '../../services/import-preset.ts';

const SAMPLE = fileURLToPath(new URL('../../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url));
const database = await openTestDatabase();
const deps = { db: database.db, clock: () => new Date('2026-11-22T00:00:00Z'), log: silentLog };
const { run } = testCli(deps);
const programId = freshProgramId('clvc');
afterAll(() => database.close());
beforeAll(async () => {
  await importPreset(deps, { preset: 'cdnow', file: SAMPLE, programId, rejectsPath: '/dev/null' });
});

describe('narrowcast clv fit', () => {
  it('prints the model, its named parameters, log-likelihood and n as JSON', async () => {
    const result = await run(
      'clv',
      'fit',
      '--program',
      programId,
      '--calibration-end',
      '1997-09-30',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = ClvFitReport.parse(JSON.parse(result.stdout));
    expect(report.model).toBe('bgnbd');
    expect(Object.keys(report.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(report.params.r).toBeCloseTo(0.243, 3);
    expect(report.logLikelihood).toBeCloseTo(-9582.4, 1);
    expect(report.n).toBe(2357);
    expect(report.timeUnit).toBe('week');
    expect(report.spendModel?.model).toBe('gamma-gamma');
    expect(Object.keys(report.spendModel?.params ?? {})).toEqual(['p', 'q', 'gamma']);
  });

  it('names the Pareto/NBD parameters r, alpha, s, beta and prints a table without --json', async () => {
    const result = await run(
      'clv',
      'fit',
      '--program',
      programId,
      '--model',
      'pareto-nbd',
      '--calibration-end',
      '1997-09-30',
    );
    expect(result.code).toBe(0);
    for (const name of ['r', 'alpha', 's', 'beta', 'p', 'q', 'gamma']) {
      expect(result.stdout).toMatch(new RegExp(`\\s${name}\\s+\\d`));
    }
    expect(result.stdout).toContain('Scored 2357 members');
  });

  it('shows the predictions on members show --json', async () => {
    const result = await run('members', 'show', '00004', '--program', programId, '--json');
    const view = MemberView.parse(JSON.parse(result.stdout));
    expect(view.predictions?.pAlive).toBeGreaterThan(0);
    expect(view.predictions?.clvPercentile).toBeGreaterThanOrEqual(0);
  });

  it('refuses an unknown model, naming the flag', async () => {
    const result = await run('clv', 'fit', '--program', programId, '--model', 'bgbd');
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toMatch(/^error: --model must be one of bgnbd, pareto-nbd/);
  });
});

describe('narrowcast clv report', () => {
  it('prints the holdout comparison as JSON and writes the chart', async () => {
    const out = mkdtempSync(join(tmpdir(), 'clv-cli-'));
    const result = await run(
      'clv',
      'report',
      '--program',
      programId,
      '--calibration-end',
      '1997-09-30',
      '--holdout-end',
      '1998-06-30',
      '--out',
      out,
      '--json',
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.frequencyBins).toHaveLength(8);
    expect(report.holdout.actual).toBe(1882);
    expect(report.svgPath).toBe(join(out, 'clv-validation.svg'));
  });
});
