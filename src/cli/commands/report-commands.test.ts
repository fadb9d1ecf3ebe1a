import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { CampaignReport, HealthReport, SegmentedVsBroadcastReport } from '../../contracts/measurement.ts';
import { measuredProgram } from '../../services/reports/report-test-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
const { run } = testCli(deps);
afterAll(() => database.close());

// Two one-variant campaigns: A1 (sent) buys 30.00 after "spring"; H1 (holdout) buys nothing.
const at = '2024-06-01T09:00:00Z';
const programId = await measuredProgram(deps, {
  members: [{ id: 'A1' }, { id: 'H1' }, { id: 'B1' }, { id: 'BH' }],
  campaigns: [{ name: 'spring' }, { name: 'blast' }],
  decisions: [
    { campaign: 'spring', member: 'A1', arm: 'a', decidedAt: at, segments: ['loyalty/vips'] },
    { campaign: 'spring', member: 'H1', arm: 'holdout', decidedAt: at, segments: ['loyalty/vips'] },
    { campaign: 'blast', member: 'B1', arm: 'a', decidedAt: at },
    { campaign: 'blast', member: 'BH', arm: 'holdout', decidedAt: at },
  ],
  messageEvents: [
    { id: 's1', memberId: 'A1', occurredAt: at, type: 'sent', channel: 'email', campaignId: 'spring' },
  ],
  purchases: [
    { id: 'o1', memberId: 'A1', occurredAt: '2024-06-02T00:00:00Z', amount: '30.00', currency: 'GBP' },
  ],
});
const tiny = ['--min-members', '1', '--min-conversions', '0'];

describe('narrowcast reports campaign', () => {
  it('prints the report as JSON in the contract shape', async () => {
    const result = await run(
      'reports',
      'campaign',
      'spring',
      '--program',
      programId,
      '--scheme',
      'loyalty',
      ...tiny,
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = CampaignReport.parse(JSON.parse(result.stdout));
    expect(report.schemes).toEqual(['loyalty']);
    const all = report.cells.find((c) => c.scheme === null && c.arm === 'a');
    expect(all).toMatchObject({ assigned: 1, sent: 1, converted: 1, revenue: '30.0000' });
  });

  it('prints a table without --json and writes every row to --csv', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nc-reports-')), 'spring.csv');
    const result = await run(
      'reports',
      'campaign',
      'spring',
      '--program',
      programId,
      '--scheme',
      'loyalty',
      '--csv',
      file,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('campaign spring (GBP): last_touch, window 7 days, 95% intervals');
    expect(result.stdout).toMatch(/scheme\s+segment\s+arm\s+assigned/);
    expect(result.stdout).toContain('low_count: variant has 1 members, fewer than 100');
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    const cells = rows.filter((r) => r.section === 'cells');
    expect(cells).toHaveLength(4);
    expect(cells[0]).toMatchObject({
      scheme: '',
      segment: '',
      arm: 'a',
      assigned: '1',
      revenue: '30.0000',
      conversionRate: '',
    });
    expect(rows.filter((r) => r.section === 'lifts')).toHaveLength(8);
  });

  it('exits with NOT_FOUND naming a campaign that does not exist, and USAGE for a bad rule', async () => {
    const missing = await run('reports', 'campaign', 'nope', '--program', programId);
    expect(missing.code).toBe(ERROR_CODES.NOT_FOUND.exit);
    expect(missing.stderr).toBe(`error: campaign "nope" does not exist in program "${programId}"\n`);
    const rule = await run('reports', 'campaign', 'spring', '--program', programId, '--rule', 'middle_touch');
    expect(rule.code).toBe(ERROR_CODES.USAGE.exit);
    expect(rule.stderr).toContain('--rule must be one of last_touch, first_touch');
  });
});

describe('narrowcast reports compare', () => {
  it('prints both sides, their difference and economics as JSON', async () => {
    const result = await run(
      'reports',
      'compare',
      'spring',
      'blast',
      '--program',
      programId,
      ...tiny,
      '--json',
    );
    expect(result.code).toBe(0);
    const report = SegmentedVsBroadcastReport.parse(JSON.parse(result.stdout));
    expect(report.economics.map((e) => e.campaignId)).toEqual(['spring', 'blast']);
  });
});

describe('narrowcast reports health', () => {
  it('prints the health report as JSON and as a table', async () => {
    const json = await run(
      'reports',
      'health',
      '--program',
      programId,
      '--until',
      '2024-06-15',
      '--months',
      '2',
      '--json',
    );
    expect(json.code).toBe(0);
    const report = HealthReport.parse(JSON.parse(json.stdout));
    expect(report.periods).toEqual(['2024-05', '2024-06']);
    const table = await run('reports', 'health', '--program', programId, '--until', '2024-06-15');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('points liability at 0.0100 a point');
  });

  it('refuses a malformed date as a usage error', async () => {
    const result = await run('reports', 'health', '--program', programId, '--until', 'soon');
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toContain('--until must be a date');
  });
});
