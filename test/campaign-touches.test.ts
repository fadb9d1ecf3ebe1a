import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { recordSnapshots, snapshotsOf } from '../src/db/writers/campaign-snapshots.ts';
import { internTrails } from '../src/db/writers/decision-trails.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

// `campaign_touches` is kept by triggers as decisions and message events are written, and holds the
// snapshot a launch records (migration 0011); the campaign report reads it in place of those
// tables. Random writes, split into statements at random, with ids re-sent (which the writers skip
// with ON CONFLICT DO NOTHING), rows of other campaigns and of no campaign, and snapshots recorded
// again, must leave the table equal to what a model computes from scratch.

const database = await openTestDatabase();
afterAll(() => database.close());

const MEMBERS = 3;
const CAMPAIGNS = ['c1', 'c2'] as const;
const CHANNELS = ['email', 'sms', 'push', 'in_app'] as const;
const T0 = Date.parse('2026-11-01T00:00:00Z');

const decision = fc.record({
  kind: fc.constant('decision' as const),
  campaign: fc.constantFrom(...CAMPAIGNS),
  step: fc.constantFrom('s1', 's2'),
  member: fc.nat(MEMBERS - 1),
  holdout: fc.boolean(),
  variant: fc.constantFrom('a', 'b'),
  outcome: fc.constantFrom('send', 'deferred', 'excluded'),
  excludedBy: fc.constantFrom('consent', 'render'),
  at: fc.nat(100),
});
const messageEvent = fc.record({
  kind: fc.constant('event' as const),
  id: fc.nat(30),
  campaign: fc.constantFrom<string | null>(...CAMPAIGNS, null),
  member: fc.nat(MEMBERS - 1),
  type: fc.constantFrom('sent', 'sent', 'sent', 'delivered', 'opened', 'clicked', 'bounced'),
  channel: fc.constantFrom(...CHANNELS),
  at: fc.nat(100),
});
const snapshot = fc.record({
  kind: fc.constant('snapshot' as const),
  campaign: fc.constantFrom(...CAMPAIGNS),
  member: fc.nat(MEMBERS - 1),
  scheme: fc.constantFrom('rfm', 'loyalty'),
  segment: fc.constantFrom('champions', 'lost', 'vips'),
});
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Decision = Of<typeof decision>;
type MessageEvent = Of<typeof messageEvent>;
type Snapshot = Of<typeof snapshot>;
type AnyWrite = Decision | MessageEvent | Snapshot;

interface Touch {
  campaign: string;
  member: number;
  assigned: boolean;
  holdout: boolean;
  variant: string | null;
  assignedAt: number | null;
  firstSentAt: number | null;
  sent: Record<(typeof CHANNELS)[number], number>;
  delivered: boolean;
  opened: boolean;
  clicked: boolean;
  schemes: string[];
  segments: string[];
}

const at = (minutes: number) => T0 + minutes * 60_000;
const least = <T extends number | string>(a: T | null, b: T | null): T | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/** What the table must hold: folded from the rows the primary keys let in, first write wins. */
function model(batches: readonly (readonly AnyWrite[])[]): Touch[] {
  const touches = new Map<string, Touch>();
  const touch = (campaign: string, member: number): Touch => {
    const key = `${campaign}/${member}`;
    let t = touches.get(key);
    if (!t) {
      t = {
        campaign,
        member,
        assigned: false,
        holdout: false,
        variant: null,
        assignedAt: null,
        firstSentAt: null,
        sent: { email: 0, sms: 0, push: 0, in_app: 0 },
        delivered: false,
        opened: false,
        clicked: false,
        schemes: [],
        segments: [],
      };
      touches.set(key, t);
    }
    return t;
  };
  const seen = new Set<string>();
  const snapshots = new Map<string, Set<string>>();
  for (const batch of batches) {
    // A snapshot is recorded whole by the first statement that names the member for the campaign.
    const recorded = new Set(snapshots.keys());
    for (const w of batch) {
      if (w.kind === 'decision') {
        const key = `d/${w.campaign}/${w.step}/${w.member}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const outcome = w.holdout ? 'holdout' : w.outcome;
        if (outcome === 'excluded' && w.excludedBy !== 'render') continue;
        const t = touch(w.campaign, w.member);
        t.assigned = true;
        t.holdout ||= w.holdout;
        t.variant = least(t.variant, w.holdout ? null : w.variant);
        t.assignedAt = least(t.assignedAt, at(w.at));
      } else if (w.kind === 'event') {
        const key = `e/${w.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (w.campaign === null) continue;
        const t = touch(w.campaign, w.member);
        if (w.type === 'sent') {
          t.firstSentAt = least(t.firstSentAt, at(w.at));
          t.sent[w.channel]++;
        }
        if (w.type === 'delivered') t.delivered = true;
        if (w.type === 'opened') t.opened = true;
        if (w.type === 'clicked') t.clicked = true;
      } else {
        const key = `${w.campaign}/${w.member}`;
        if (recorded.has(key)) continue;
        const set = snapshots.get(key) ?? new Set();
        set.add(`${w.scheme}\u0000${w.segment}`);
        snapshots.set(key, set);
        touch(w.campaign, w.member);
      }
    }
  }
  for (const [key, set] of snapshots) {
    const t = touches.get(key) as Touch;
    const pairs = [...set].sort().map((p) => p.split('\u0000') as [string, string]);
    t.schemes = pairs.map((p) => p[0]);
    t.segments = pairs.map((p) => p[1]);
  }
  return [...touches.values()].sort((a, b) => a.campaign.localeCompare(b.campaign) || a.member - b.member);
}

async function write(programId: string, ids: readonly number[], kind: AnyWrite['kind'], rows: AnyWrite[]) {
  const db = database.db;
  const member = (i: number) => ids[i] as number;
  if (kind === 'decision') {
    const list = rows as Decision[];
    const [noRules] = await internTrails(db, programId, ['[]']);
    await sql`
      INSERT INTO campaign_decisions (program_id, campaign, step, member_id, version, arm, variant, outcome,
        excluded_by, channel, send_at, trail_id, decided_at)
      SELECT ${programId}, d.campaign, d.step, d.member_id, 1, d.arm, d.variant, d.outcome, d.excluded_by,
        'email', NULL, ${noRules}, d.decided_at
      FROM unnest(${list.map((w) => w.campaign)}::text[], ${list.map((w) => w.step)}::text[],
        ${list.map((w) => member(w.member))}::bigint[], ${list.map((w) => (w.holdout ? 'holdout' : 'treatment'))}::text[],
        ${list.map((w) => (w.holdout ? null : w.variant))}::text[], ${list.map((w) => (w.holdout ? 'holdout' : w.outcome))}::text[],
        ${list.map((w) => (w.holdout || w.outcome !== 'excluded' ? null : w.excludedBy))}::text[],
        ${list.map((w) => new Date(at(w.at)).toISOString())}::timestamptz[])
        AS d (campaign, step, member_id, arm, variant, outcome, excluded_by, decided_at)
      ON CONFLICT DO NOTHING`.execute(db);
  } else if (kind === 'event') {
    const list = rows as MessageEvent[];
    await sql`
      INSERT INTO message_events (program_id, event_id, member_id, occurred_at, payload_hash, type, channel, campaign_id)
      SELECT ${programId}, e.id, e.member_id, e.occurred_at, 'test', e.type, e.channel, e.campaign
      FROM unnest(${list.map((w) => `e${w.id}`)}::text[], ${list.map((w) => member(w.member))}::bigint[],
        ${list.map((w) => new Date(at(w.at)).toISOString())}::timestamptz[], ${list.map((w) => w.type)}::text[],
        ${list.map((w) => w.channel)}::text[], ${list.map((w) => w.campaign)}::text[])
        AS e (id, member_id, occurred_at, type, channel, campaign)
      ON CONFLICT DO NOTHING`.execute(db);
  } else {
    const list = rows as Snapshot[];
    for (const campaign of CAMPAIGNS) {
      const byMember = new Map<number, [string, string][]>();
      for (const w of list.filter((x) => x.campaign === campaign)) {
        byMember.set(member(w.member), [...(byMember.get(member(w.member)) ?? []), [w.scheme, w.segment]]);
      }
      if (byMember.size === 0) continue;
      const snapshots = [...byMember].map(([memberId, refs]) => ({ memberId, refs }));
      await recordSnapshots(db, { programId, campaign, source: snapshotsOf(snapshots) });
    }
  }
}

/** Consecutive writes of one kind, cut into statements where `cuts` says. */
function statements(writes: readonly AnyWrite[], cuts: readonly boolean[]): AnyWrite[][] {
  const out: AnyWrite[][] = [];
  writes.forEach((w, i) => {
    const last = out.at(-1);
    if (last && last[0]?.kind === w.kind && !cuts[i % cuts.length]) last.push(w);
    else out.push([w]);
  });
  return out;
}

async function kept(programId: string, ids: readonly number[]): Promise<Touch[]> {
  const rows = await database.db
    .selectFrom('campaign_touches as t')
    .leftJoin('campaign_snapshots as s', (j) =>
      j.onRef('s.program_id', '=', 't.program_id').onRef('s.id', '=', 't.snapshot_id'),
    )
    .selectAll('t')
    .select(['s.schemes', 's.segments'])
    .where('t.program_id', '=', programId)
    .execute();
  return rows
    .map((r) => ({
      campaign: r.campaign,
      member: ids.indexOf(Number(r.member_id)),
      assigned: r.assigned,
      holdout: r.holdout,
      variant: r.variant,
      assignedAt: r.assigned_at?.getTime() ?? null,
      firstSentAt: r.first_sent_at?.getTime() ?? null,
      sent: { email: r.sent_email, sms: r.sent_sms, push: r.sent_push, in_app: r.sent_in_app },
      delivered: r.delivered,
      opened: r.opened,
      clicked: r.clicked,
      schemes: r.schemes ?? [],
      segments: r.segments ?? [],
    }))
    .sort((a, b) => a.campaign.localeCompare(b.campaign) || a.member - b.member);
}

describe('campaign touches', () => {
  it('equal the touches folded from scratch, however the writes are batched and re-sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(decision, messageEvent, snapshot), { minLength: 30, maxLength: 90 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        async (writes, cuts) => {
          const programId = freshProgramId('touch');
          const deps: Deps = { db: database.db, clock: () => new Date(T0), log: silentLog };
          await createProgram(deps, { programId });
          await ingestBatch(deps, {
            programId,
            kind: 'members',
            records: Array.from({ length: MEMBERS }, (_, i) => ({
              id: `m${i}`,
              joinedAt: new Date(T0).toISOString(),
            })),
          });
          const ids = (
            await database.db
              .selectFrom('members')
              .select(['member_id', 'external_id'])
              .where('program_id', '=', programId)
              .orderBy('external_id')
              .execute()
          ).map((r) => Number(r.member_id));
          const batches = statements(writes, cuts);
          for (const batch of batches) {
            await write(programId, ids, (batch[0] as AnyWrite).kind, batch);
          }
          expect(await kept(programId, ids)).toEqual(model(batches));
        },
      ),
      { numRuns: 60 },
    );
  });
});
