import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, sampleRecords, testDeps } from '../../../test/fixtures/programs.ts';
import { MemberView } from '../../contracts/member-view.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

/** A program with one member and a purchase, points and a survey answer of theirs. */
async function programWithHistory(memberId = 'm1') {
  const program = await programWithKey(deps);
  const sample = sampleRecords(memberId);
  for (const kind of ['members', 'purchases', 'points', 'surveys'] as const) {
    const response = await postJson(
      app,
      `/v1/programs/${program.programId}/${kind}`,
      { records: [sample[kind]] },
      program.key,
    );
    expect(response.status).toBeLessThan(300);
  }
  return program;
}

const memberPath = (programId: string, memberId: string) =>
  `/v1/programs/${programId}/members/${encodeURIComponent(memberId)}`;

describe('GET /v1/programs/:programId/members/:memberId', () => {
  it('returns the member with the totals of their history', async () => {
    const { programId, key } = await programWithHistory();
    const response = await get(app, memberPath(programId, 'm1'), key);
    expect(response.status).toBe(200);
    const view = MemberView.strict().parse(await response.json());
    expect(view.programId).toBe(programId);
    expect(view.member).toMatchObject({
      id: 'm1',
      tier: 'gold',
      email: 'ada@example.com',
      joinedAt: '2024-01-01T00:00:00.000Z',
    });
    expect(view.totals).toMatchObject({
      orders: 1,
      purchaseDays: 1,
      spend: '7.5000',
      merchandiseSpend: '2.5000',
      pointsEarned: 100,
      pointsBalance: 100,
      surveys: 1,
      firstPurchaseAt: '2024-03-01T10:00:00.000Z',
    });
  });

  it('finds a member whose id holds spaces, slashes and non-ASCII letters', async () => {
    const memberId = 'Zoë / 42 #a?b';
    const { programId, key } = await programWithHistory(memberId);
    const response = await get(app, memberPath(programId, memberId), key);
    expect(response.status).toBe(200);
    expect(((await response.json()) as MemberView).member.id).toBe(memberId);
  });

  it('answers 404 naming the member when the program has no such member', async () => {
    const { programId, key } = await programWithHistory();
    const body = await expectError(await get(app, memberPath(programId, 'nobody'), key), 404, 'NOT_FOUND');
    expect(body.error.message).toContain('"nobody"');
  });

  it('refuses a key without the read scope with 403', async () => {
    const { programId } = await programWithHistory();
    const ingestOnly = await keyFor(deps, programId, ['ingest']);
    const body = await expectError(await get(app, memberPath(programId, 'm1'), ingestOnly), 403, 'FORBIDDEN');
    expect(body.error.message).toContain('"read" scope');
  });

  it('refuses a key of another program with 403 whether or not the member exists there', async () => {
    const { programId } = await programWithHistory();
    const other = await programWithHistory();
    await expectError(await get(app, memberPath(programId, 'm1'), other.key), 403, 'FORBIDDEN');
    await expectError(await get(app, memberPath(programId, 'nobody'), other.key), 403, 'FORBIDDEN');
    await expectError(await get(app, memberPath('no-such-program', 'm1'), other.key), 403, 'FORBIDDEN');
  });

  it('refuses a request without a key with 401', async () => {
    const { programId } = await programWithHistory();
    await expectError(await get(app, memberPath(programId, 'm1')), 401, 'UNAUTHENTICATED');
  });
});
