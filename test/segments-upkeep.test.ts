import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { showMember } from '../src/services/show-member.ts';
import { testCli } from './fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

const database = await openTestDatabase();
afterAll(() => database.close());
const NOW = new Date('2024-06-30T12:00:00Z');
const deps: Deps = { db: database.db, clock: () => NOW, log: silentLog };

async function program(members: string[]) {
  const programId = freshProgramId('seg');
  await createProgram(deps, { programId });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: members.map((id) => ({ id, joinedAt: '2024-01-01T00:00:00Z' })),
  });
  return programId;
}

describe('segment upkeep on ingest', () => {
  it('updates features and memberships in the event transaction, shown by members show', async () => {
    const programId = await program(['a']);
    const before = await showMember(deps, { programId, memberId: 'a' });
    expect(before.features?.frequency_orders).toBe(0);
    await ingestBatch(deps, {
      programId,
      kind: 'purchases',
      records: [{ id: 'o1', memberId: 'a', occurredAt: '2024-06-29T10:00:00Z', amount: '42.50' }],
    });
    const view = await showMember(deps, { programId, memberId: 'a' });
    expect(view.features).toMatchObject({ frequency_orders: 1, monetary_total: '42.5000', recency_days: 1 });
    expect(view.segments).toContainEqual(
      expect.objectContaining({ scheme: 'lifecycle', segment: 'new', since: NOW.toISOString() }),
    );
    const lifecycle = view.segments.find((s) => s.scheme === 'lifecycle');
    expect(lifecycle?.explanation).toBe(
      'New: first purchase 2024-06-29 10:00 UTC is 1 day ago, within the last 90 days',
    );
  });

  it('records entries and exits as transitions with their cause, and queues webhook deliveries', async () => {
    const programId = await program(['a']);
    await database.db
      .insertInto('webhooks')
      .values({
        id: `wh-${programId}`,
        program_id: programId,
        url: 'http://127.0.0.1:9/hook',
        secret: 's',
        events: ['segment.entered'],
      })
      .execute();
    await ingestBatch(deps, {
      programId,
      kind: 'purchases',
      records: [{ id: 'o1', memberId: 'a', occurredAt: '2024-06-29T10:00:00Z', amount: '10' }],
    });
    const transitions = await database.db
      .selectFrom('segment_transitions')
      .select(['scheme', 'segment', 'change', 'cause'])
      .where('program_id', '=', programId)
      .where('scheme', '=', 'lifecycle')
      .orderBy('seq')
      .execute();
    expect(transitions).toEqual([
      { scheme: 'lifecycle', segment: 'prospect', change: 'entered', cause: 'event' },
      { scheme: 'lifecycle', segment: 'new', change: 'entered', cause: 'event' },
      { scheme: 'lifecycle', segment: 'prospect', change: 'left', cause: 'event' },
    ]);
    const deliveries = await database.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'payload'])
      .where('program_id', '=', programId)
      .execute();
    const payloads = deliveries.map(
      (d) => d.payload as { id: string; type: string; memberId: string; segment: string },
    );
    // Entries only: the webhook did not ask for exits.
    expect(payloads.every((p) => p.type === 'segment.entered' && p.memberId === 'a')).toBe(true);
    expect(payloads.map((p) => p.segment)).toContain('new');
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(deliveries.length);
    expect(payloads.every((p, i) => p.id === deliveries[i]?.id)).toBe(true);
  });

  it('changes nothing for a re-sent event', async () => {
    const programId = await program(['a']);
    const purchase = { id: 'o1', memberId: 'a', occurredAt: '2024-06-29T10:00:00Z', amount: '10' };
    await ingestBatch(deps, { programId, kind: 'purchases', records: [purchase] });
    await ingestBatch(deps, { programId, kind: 'purchases', records: [purchase] });
    const view = await showMember(deps, { programId, memberId: 'a' });
    expect(view.features?.frequency_orders).toBe(1);
  });

  it('loses no update when many transactions change one member at once', async () => {
    const programId = await program(['a']);
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        ingestBatch(deps, {
          programId,
          kind: 'engagement',
          records: [{ id: `e${i}`, memberId: 'a', occurredAt: '2024-06-20T10:00:00Z', kind: 'review' }],
        }),
      ),
    );
    const view = await showMember(deps, { programId, memberId: 'a' });
    expect(view.features).toMatchObject({ reviews: 16, engagements: 16 });
  });

  it('refuses to refresh to a day before the last refresh, and rebuilds on request', async () => {
    const programId = await program(['a']);
    await refreshSegments(deps, { programId });
    await expect(
      refreshSegments(deps, { programId, asOf: new Date('2024-06-01T00:00:00Z') }),
    ).rejects.toThrow(/before the last refresh/);
    const rebuilt = await refreshSegments(deps, {
      programId,
      asOf: new Date('2024-06-01T00:00:00Z'),
      rebuild: true,
    });
    expect(rebuilt).toMatchObject({ mode: 'rebuild', evaluated: 1 });
  });

  it('takes the state table statistics again inside a rebuild of at least restatsAfter members, and vacuums after a rebuild or full refresh of that many only', async () => {
    // Manual ANALYZEs and VACUUMs of the state table so far; no other test rebuilds enough members
    // to take one.
    const counts = async () => {
      const { rows } = await sql<{ analyses: string | number | null; vacuums: string | number | null }>`
        SELECT analyze_count AS analyses, vacuum_count AS vacuums
        FROM pg_stat_user_tables WHERE relname = 'member_features'`.execute(database.db);
      return { analyses: Number(rows[0]?.analyses ?? 0), vacuums: Number(rows[0]?.vacuums ?? 0) };
    };
    const programId = await program(['a', 'b', 'c']);
    // A buyer: their lifecycle stage and recency move with the days, so a later refresh has them due.
    await ingestBatch(deps, {
      programId,
      kind: 'purchases',
      records: [{ id: 'o1', memberId: 'a', occurredAt: '2024-06-29T10:00:00Z', amount: '42.50' }],
    });
    const start = await counts();
    await refreshSegments(deps, { programId, rebuild: true, restatsAfter: 4 });
    expect(await counts()).toEqual(start);
    await refreshSegments(deps, { programId, rebuild: true, restatsAfter: 3 });
    expect(await counts()).toEqual({ analyses: start.analyses + 1, vacuums: start.vacuums + 1 });
    await refreshSegments(deps, { programId, full: true, restatsAfter: 3 });
    expect(await counts()).toEqual({ analyses: start.analyses + 1, vacuums: start.vacuums + 2 });
    // A daily refresh re-evaluates only the members due; it leaves the table to autovacuum.
    const daily = await refreshSegments(deps, {
      programId,
      asOf: new Date('2025-06-30T00:00:00Z'),
      restatsAfter: 1,
    });
    expect(daily).toMatchObject({ mode: 'incremental' });
    expect(daily.evaluated).toBeGreaterThanOrEqual(1);
    expect(await counts()).toEqual({ analyses: start.analyses + 1, vacuums: start.vacuums + 2 });
  });
});

describe('narrowcast refresh', () => {
  it('prints what it re-evaluated and why, as JSON', async () => {
    const { run } = testCli(deps);
    const programId = freshProgramId('shop');
    expect((await run('init', '--program', programId, '--as-of', '2011-12-10')).code).toBe(0);
    const result = await run('refresh', '--program', programId, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      programId,
      asOf: '2011-12-10T00:00:00.000Z',
      mode: 'full',
      evaluated: 0,
    });
    const again = await run('refresh', '--program', programId);
    expect(again.stdout).toMatch(/as of 2011-12-10.*\(incremental\): 0 members evaluated/);
    const bad = await run('refresh', '--program', programId, '--as-of', 'yesterday');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--as-of/);
  });
});
