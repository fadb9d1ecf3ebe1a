import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { seedMembers, seedMemberships, seedTransitions } from '../../../test/fixtures/segment-seed.ts';
import {
  SegmentDetail,
  SegmentList,
  SegmentMembersPage,
  SegmentMigration,
  SegmentOverlap,
  SegmentSizeSeries,
} from '../../contracts/segments.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const send = (method: string, path: string, key: string | undefined, body?: unknown) =>
  Promise.resolve(
    app.request(path, {
      method,
      headers: authHeaders(key, body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

const definition = {
  scheme: 'targets',
  name: 'big_spenders',
  label: 'Big spenders',
  rule: { feature: 'monetary_total', op: 'gte', value: 500 },
};

describe('segment definitions over HTTP', () => {
  it('creates, updates, shows with history and deletes a custom segment', async () => {
    const { programId, key } = await programWithKey(deps);
    const created = await postJson(app, `/v1/programs/${programId}/segments`, definition, key);
    expect(created.status).toBe(201);
    expect(SegmentDetail.parse(await created.json()).latest.version).toBe(1);

    const path = `/v1/programs/${programId}/segments/targets/big_spenders`;
    const updated = await send('PATCH', path, key, { label: 'Whales' });
    expect(updated.status).toBe(200);
    expect(SegmentDetail.parse(await updated.json()).latest).toMatchObject({ version: 2, label: 'Whales' });

    const shown = SegmentDetail.parse(await (await get(app, path, key)).json());
    expect(shown.versions.map((v) => v.label)).toEqual(['Whales', 'Big spenders']);

    const deleted = await send('DELETE', path, key);
    expect(SegmentDetail.parse(await deleted.json()).latest.deleted).toBe(true);
    const list = SegmentList.parse(await (await get(app, `/v1/programs/${programId}/segments`, key)).json());
    expect(list.definitionsVersion).toBe(3);
    expect(list.segments.some((s) => s.scheme === 'targets')).toBe(false);
  });

  it('answers 422 with the JSON path of each problem in the rule', async () => {
    const { programId, key } = await programWithKey(deps);
    const response = await postJson(
      app,
      `/v1/programs/${programId}/segments`,
      { ...definition, rule: { all: [{ feature: 'nope', op: 'eq', value: 1 }] } },
      key,
    );
    const body = await expectError(response, 422, 'INVALID_INPUT');
    expect((body.error.details as { issues: { path: string }[] }).issues[0]?.path).toBe(
      'rule.all[0].feature',
    );
  });

  it('refuses writes without the manage scope and reads without the read scope', async () => {
    const { programId } = await programWithKey(deps);
    const readOnly = await keyFor(deps, programId, ['read']);
    const ingestOnly = await keyFor(deps, programId, ['ingest']);
    const created = await postJson(app, `/v1/programs/${programId}/segments`, definition, readOnly);
    expect((await expectError(created, 403, 'FORBIDDEN')).error.message).toContain('"manage"');
    await expectError(
      await send('PUT', `/v1/programs/${programId}/segment-thresholds`, readOnly, {}),
      403,
      'FORBIDDEN',
    );
    await expectError(await get(app, `/v1/programs/${programId}/segments`, ingestOnly), 403, 'FORBIDDEN');
    await expectError(await get(app, `/v1/programs/${programId}/segments`), 401, 'UNAUTHENTICATED');
  });

  it('refuses a key of another program', async () => {
    const { programId } = await programWithKey(deps);
    const other = await programWithKey(deps);
    await expectError(
      await postJson(app, `/v1/programs/${programId}/segments`, definition, other.key),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await get(app, `/v1/programs/${programId}/segments/loyalty/vips/members`, other.key),
      403,
      'FORBIDDEN',
    );
  });

  it('sets thresholds, and names an unknown one', async () => {
    const { programId, key } = await programWithKey(deps);
    const path = `/v1/programs/${programId}/segment-thresholds`;
    const bad = await send('PUT', path, key, { loyalty: { vipMinClv: 90 } });
    const body = await expectError(bad, 422, 'INVALID_INPUT');
    expect((body.error.details as { issues: { path: string }[] }).issues[0]?.path).toBe('loyalty.vipMinClv');
    const ok = await send('PUT', path, key, { loyalty: { vipMinClvPercentile: 90 } });
    expect(ok.status).toBe(200);
    const shown = (await (await get(app, path, key)).json()) as {
      effective: { loyalty: { vipMinClvPercentile: number } };
    };
    expect(shown.effective.loyalty.vipMinClvPercentile).toBe(90);
  });
});

describe('segment reads over HTTP', () => {
  async function seeded() {
    const program = await programWithKey(deps);
    const ids = await seedMembers(deps, program.programId, 3);
    await seedMemberships(deps, program.programId, 'loyalty', 'vips', ids);
    await seedMemberships(deps, program.programId, 'declared', 'interest:coffee', ids.slice(1));
    await seedTransitions(
      deps,
      program.programId,
      ids.map((memberId) => ({
        memberId,
        scheme: 'loyalty',
        segment: 'vips',
        change: 'entered' as const,
        at: new Date('2024-05-01T00:00:00Z'),
      })),
    );
    await deps.db
      .insertInto('segment_sizes')
      .values({
        program_id: program.programId,
        scheme: 'loyalty',
        segment: 'vips',
        as_of: new Date('2024-05-02'),
        size: 3,
      })
      .execute();
    return program;
  }

  it('lists sizes, pages members, and exports CSV and NDJSON', async () => {
    const { programId, key } = await seeded();
    const list = SegmentList.parse(
      await (await get(app, `/v1/programs/${programId}/segments?scheme=loyalty`, key)).json(),
    );
    expect(list.segments.find((s) => s.name === 'vips')).toMatchObject({ size: 3, version: 'built-in' });

    const page = SegmentMembersPage.parse(
      await (await get(app, `/v1/programs/${programId}/segments/loyalty/vips/members?limit=2`, key)).json(),
    );
    expect(page.members.map((m) => m.memberId)).toEqual(['m1', 'm2']);
    const rest = SegmentMembersPage.parse(
      await (
        await get(
          app,
          `/v1/programs/${programId}/segments/loyalty/vips/members?limit=2&cursor=${page.nextCursor}`,
          key,
        )
      ).json(),
    );
    expect(rest.members.map((m) => m.memberId)).toEqual(['m3']);

    const csv = await get(
      app,
      `/v1/programs/${programId}/segments/declared/interest:coffee/export?format=csv`,
      key,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="declared-interest_coffee.csv"',
    );
    const rows = parse(await csv.text(), { columns: true }) as { memberId: string }[];
    expect(rows.map((r) => r.memberId)).toEqual(['m2', 'm3']);
    const ndjson = await get(
      app,
      `/v1/programs/${programId}/segments/loyalty/vips/export?format=ndjson`,
      key,
    );
    expect((await ndjson.text()).trimEnd().split('\n')).toHaveLength(3);
  });

  it('answers migration, overlap and sizes over time', async () => {
    const { programId, key } = await seeded();
    const migration = SegmentMigration.parse(
      await (
        await get(app, `/v1/programs/${programId}/segment-migration?from=2024-04-01&to=2024-06-01`, key)
      ).json(),
    );
    expect(migration.schemes[0]?.cells).toEqual([{ from: 'none', to: 'vips', members: 3 }]);
    const overlap = SegmentOverlap.parse(
      await (
        await get(
          app,
          `/v1/programs/${programId}/segment-overlap?a=loyalty/vips&b=declared/interest:coffee`,
          key,
        )
      ).json(),
    );
    expect(overlap).toMatchObject({ intersection: 2, union: 3 });
    const sizes = SegmentSizeSeries.parse(
      await (await get(app, `/v1/programs/${programId}/segment-sizes`, key)).json(),
    );
    expect(sizes.series[0]?.points).toEqual([{ asOf: '2024-05-02T00:00:00.000Z', size: 3 }]);
  });

  it('answers 404 for an unknown segment and 422 for bad parameters', async () => {
    const { programId, key } = await seeded();
    await expectError(
      await get(app, `/v1/programs/${programId}/segments/loyalty/nope/members`, key),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await get(app, `/v1/programs/${programId}/segments/loyalty/vips/export?format=xml`, key),
      422,
      'INVALID_INPUT',
    );
    await expectError(
      await get(app, `/v1/programs/${programId}/segment-migration?from=yesterday&to=2024-01-01`, key),
      422,
      'INVALID_INPUT',
    );
    await expectError(
      await get(app, `/v1/programs/${programId}/segment-overlap?a=vips&b=loyalty/vips`, key),
      422,
      'INVALID_INPUT',
    );
  });
});
