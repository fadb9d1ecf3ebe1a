import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError, get } from '../../../test/fixtures/http.ts';
import { openApiSchemas } from '../../../test/fixtures/openapi-validator.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { CampaignReport, HealthReport, SegmentedVsBroadcastReport } from '../../contracts/measurement.ts';
import { measuredProgram } from '../../services/reports/report-test-program.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const at = '2024-06-01T09:00:00Z';
const programId = await measuredProgram(deps, {
  members: [{ id: 'A1' }, { id: 'H1' }, { id: 'B1' }, { id: 'BH' }],
  campaigns: [{ name: 'spring' }, { name: 'blast' }],
  decisions: [
    { campaign: 'spring', member: 'A1', arm: 'a', decidedAt: at, segments: ['loyalty/vips'] },
    { campaign: 'spring', member: 'H1', arm: 'holdout', decidedAt: at },
    { campaign: 'blast', member: 'B1', arm: 'a', decidedAt: at },
    { campaign: 'blast', member: 'BH', arm: 'holdout', decidedAt: at },
  ],
  purchases: [
    { id: 'o1', memberId: 'A1', occurredAt: '2024-06-02T00:00:00Z', amount: '12.50', currency: 'GBP' },
  ],
});
const reader = await keyFor(deps, programId, ['read']);
const base = `/v1/programs/${programId}/reports`;

describe('report routes', () => {
  it('returns the campaign report in the contract shape, with query settings applied', async () => {
    const response = await get(
      app,
      `${base}/campaigns/spring?scheme=loyalty&minMembers=1&minConversions=0`,
      reader,
    );
    expect(response.status).toBe(200);
    const report = CampaignReport.parse(await response.json());
    expect(report.schemes).toEqual(['loyalty']);
    expect(report.settings.minMembers).toBe(1);
    expect(report.cells.find((c) => c.scheme === null && c.arm === 'a')).toMatchObject({
      converted: 1,
      revenue: '12.5000',
    });
  });

  it('returns the comparison and the health report', async () => {
    const compared = await get(app, `${base}/compare?targeted=spring&broadcast=blast`, reader);
    expect(compared.status).toBe(200);
    SegmentedVsBroadcastReport.parse(await compared.json());
    const health = await get(app, `${base}/health?until=2024-06-15&months=2`, reader);
    expect(health.status).toBe(200);
    expect(HealthReport.parse(await health.json()).periods).toEqual(['2024-05', '2024-06']);
  });

  it('answers with bodies the published OpenAPI schemas accept', async () => {
    const schemaOf = await openApiSchemas(app);
    for (const [schema, path] of [
      ['CampaignReport', `${base}/campaigns/spring?minMembers=1&minConversions=0`],
      [
        'SegmentedVsBroadcastReport',
        `${base}/compare?targeted=spring&broadcast=blast&minMembers=1&minConversions=0`,
      ],
      ['HealthReport', `${base}/health?until=2024-06-15`],
    ] as const) {
      const validate = schemaOf(schema);
      const body = await (await get(app, path, reader)).json();
      expect(validate(body), `${schema}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate({ ...(body as object), settings: 7 }), `${schema} refuses a wrong body`).toBe(false);
    }
  });

  it('answers 422 naming a bad query parameter, and 404 for an unknown campaign', async () => {
    const rule = await expectError(
      await get(app, `${base}/campaigns/spring?rule=middle`, reader),
      422,
      'INVALID_INPUT',
    );
    expect(rule.error.message).toContain('query parameter rule must be one of last_touch, first_touch');
    const months = await expectError(
      await get(app, `${base}/health?months=two`, reader),
      422,
      'INVALID_INPUT',
    );
    expect(months.error.message).toContain('query parameter months must be a whole number');
    await expectError(await get(app, `${base}/compare?targeted=spring`, reader), 422, 'INVALID_INPUT');
    await expectError(await get(app, `${base}/campaigns/nope`, reader), 404, 'NOT_FOUND');
  });

  it('needs the read scope of the same program', async () => {
    await expectError(await get(app, `${base}/campaigns/spring`), 401, 'UNAUTHENTICATED');
    const ingestOnly = await keyFor(deps, programId, ['ingest']);
    await expectError(await get(app, `${base}/campaigns/spring`, ingestOnly), 403, 'FORBIDDEN');
    const other = await programWithKey(deps, ['read']);
    await expectError(await get(app, `${base}/health`, other.key), 403, 'FORBIDDEN');
    await expectError(
      await get(app, `${base}/compare?targeted=spring&broadcast=blast`, other.key),
      403,
      'FORBIDDEN',
    );
  });
});
