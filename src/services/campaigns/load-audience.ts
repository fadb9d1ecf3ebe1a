import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { CampaignDefinition, GovernancePolicy, SegmentRef } from '../../contracts/campaigns.ts';
import type { Channel } from '../../contracts/records.ts';
import type { FeatureVector } from '../../contracts/segments.ts';
import type { Schema } from '../../db/schema.ts';
import { SNAPSHOT_KEY } from '../../db/writers/campaign-snapshots.ts';
import type { PlanMember } from '../../domain/campaigns/decide-member.ts';
import { CHANNEL_PREFERENCE_FEATURE } from '../../domain/campaigns/features-read.ts';
import { matchRule } from '../../domain/segments/evaluate-rule.ts';

// Reads a campaign's audience from storage in batches of members, each with everything a decision
// needs: features, consents for the campaign's purpose and channels, unsubscribes, suppressions,
// recent sends of every campaign and the latest purchase. Members come in member-id order, a page
// per range of ids: each page reads only its range of members and memberships, whatever plan the
// database picks, so a launch reads its audience in time linear in the program (an open-ended
// keyset page let the planner scan the memberships from the first member on every page). The range
// widens where the audience is sparse and a full page stops short of it. What else a page needs
// comes in one query per table for the whole page: its id range, and its member ids bound as one
// array unless the range holds only them. Members who join after the read of the program's id
// range are not in the launch.

/** Members read and decided per batch. */
export const AUDIENCE_BATCH_SIZE = 5_000;

/** An audience member with their internal id and, when asked for, their segment snapshot's key. */
export type AudienceMember = PlanMember & { memberId: number; snapshot?: string };

/** A batch of audience members. */
export interface AudienceBatch {
  members: AudienceMember[];
}

export interface LoadAudienceOptions {
  programId: string;
  definition: CampaignDefinition;
  policy: GovernancePolicy;
  now: Date;
  /** Sends of this campaign key are not counted against the frequency cap (a re-run of the same launch). */
  campaignKey: string;
  /** For a triggered campaign: only members who entered the trigger segment at or after this time. */
  enteredSince?: Date | undefined;
  /** Only these members (by external id), e.g. for sample renders. */
  onlyMembers?: readonly string[] | undefined;
  batchSize?: number | undefined;
  /** Read each member's latest purchase (for `last.*` tokens); without it they read as missing. */
  lastPurchase?: boolean | undefined;
  /** The features to read (`featuresRead`); without it, the whole vector. */
  features?: readonly string[] | undefined;
  /** Read each member's memberships in every scheme, as the snapshot a launch records at assignment. */
  snapshots?: boolean | undefined;
}

/** Pairs per jsonb_build_object call: a function takes at most 100 arguments. */
const PAIRS_PER_CALL = 40;

/**
 * The member's features as one jsonb: the whole vector, or only the named ones. A name the member
 * lacks is left out (a feature that is null reads the same as one that is missing, evaluate-rule.ts).
 * The stored vector is usually compressed or kept out of line, and each `->` on it would fetch and
 * decompress it again: the subquery (kept apart from the outer query by `OFFSET 0`) does that once
 * per member, and the names are read from the copy in memory.
 */
function featuresColumn(names: readonly string[] | undefined) {
  if (names === undefined) return sql<unknown>`f.features`;
  if (names.length === 0) return sql<unknown>`'{}'::jsonb`;
  const calls = [];
  for (let i = 0; i < names.length; i += PAIRS_PER_CALL) {
    const pairs = names.slice(i, i + PAIRS_PER_CALL).map((name) => sql`${name}::text, v -> ${name}::text`);
    calls.push(sql`jsonb_build_object(${sql.join(pairs)})`);
  }
  return sql<unknown>`(SELECT jsonb_strip_nulls(${sql.join(calls, sql` || `)})
    FROM (SELECT f.features || '{}'::jsonb AS v OFFSET 0) AS vector)`;
}

type MembersEb = ExpressionBuilder<Schema & { m: Schema['members'] }, 'm'>;

/**
 * Whether the member is in any of the segments. The page's id range is repeated on the memberships
 * so that whatever join the planner picks reads only the page's part of them.
 */
function inSegment(
  eb: MembersEb,
  refs: readonly SegmentRef[],
  page: { after: number; upper: number },
  since?: Date,
) {
  let members = eb
    .selectFrom('segment_memberships as s')
    .select('s.member_id')
    .whereRef('s.program_id', '=', 'm.program_id')
    .whereRef('s.member_id', '=', 'm.member_id')
    .where('s.member_id', '>', page.after)
    .where('s.member_id', '<=', page.upper)
    .where((inner) =>
      inner.or(
        refs.map((r) => inner.and([inner('s.scheme', '=', r.scheme), inner('s.segment', '=', r.segment)])),
      ),
    );
  if (since !== undefined) members = members.where('s.since', '>=', since);
  return eb.exists(members);
}

/** The audience, batch by batch: in the segments, matching the filter, not excluded. */
export async function* loadAudience(
  db: Kysely<Schema>,
  options: LoadAudienceOptions,
): AsyncGenerator<AudienceBatch> {
  const { programId, definition, now } = options;
  const { audience } = definition;
  const batchSize = options.batchSize ?? AUDIENCE_BATCH_SIZE;
  const settings = await db
    .selectFrom('segment_settings')
    .select('distributions')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  const context = { asOf: now, distributions: (settings?.distributions ?? {}) as Record<string, number[]> };
  const trigger = definition.schedule.kind === 'on_entry' ? definition.schedule.segment : undefined;
  const range = await db
    .selectFrom('members')
    .select((eb) => [eb.fn.min('member_id').as('first'), eb.fn.max('member_id').as('last')])
    .where('program_id', '=', programId)
    .executeTakeFirst();
  if (range?.first == null || range.last == null) return;
  const last = Number(range.last);
  let after = Number(range.first) - 1;
  let span = batchSize;
  while (after < last) {
    const upper = Math.min(after + span, last);
    const bounds = { after, upper };
    let query = db
      .selectFrom('members as m')
      .leftJoin('member_features as f', (join) =>
        join.onRef('f.program_id', '=', 'm.program_id').onRef('f.member_id', '=', 'm.member_id'),
      )
      .select([
        'm.member_id',
        'm.external_id',
        'm.timezone',
        'm.tier',
        'm.region',
        'm.locale',
        'm.email',
        'm.phone',
        'm.push_token',
        'm.attributes',
        featuresColumn(options.features).as('features'),
      ])
      .where('m.program_id', '=', programId)
      .where('m.member_id', '>', after)
      .where('m.member_id', '<=', upper)
      .where((eb) =>
        audience.match === 'all'
          ? eb.and(audience.segments.map((ref) => inSegment(eb, [ref], bounds)))
          : inSegment(eb, audience.segments, bounds),
      )
      .orderBy('m.member_id')
      .limit(batchSize);
    if (audience.exclude.length > 0)
      query = query.where((eb) => eb.not(inSegment(eb, audience.exclude, bounds)));
    if (trigger !== undefined)
      query = query.where((eb) => inSegment(eb, [trigger], bounds, options.enteredSince));
    if (options.onlyMembers !== undefined)
      query = query.where('m.external_id', 'in', [...options.onlyMembers, '']);
    const rows = await query.execute();
    // A full page may stop short of the range: the next one starts after its last member.
    const reached = rows.length === batchSize ? (rows.at(-1)?.member_id ?? upper) : upper;
    span = nextSpan(batchSize, reached - after, rows.length);
    after = reached;
    const matching = rows.filter(
      (row) =>
        audience.filter === undefined ||
        matchRule(audience.filter, (row.features ?? {}) as FeatureVector, context),
    );
    if (matching.length > 0) yield { members: await withHistory(db, options, matching, trigger) };
  }
}

/** The widest id range one page reads, however sparse the audience. */
export const MAX_PAGE_SPAN = 1_000_000;

/**
 * The id range of the next page: as wide as the last page's density says holds a page of audience
 * members, at least a page and at most MAX_PAGE_SPAN ids.
 */
export function nextSpan(batchSize: number, scanned: number, found: number): number {
  const wanted = found === 0 ? MAX_PAGE_SPAN : Math.ceil((batchSize * scanned) / found);
  return Math.min(MAX_PAGE_SPAN, Math.max(batchSize, wanted));
}

type MemberRow = {
  member_id: number;
  external_id: string;
  timezone: string | null;
  tier: string | null;
  region: string | null;
  locale: string | null;
  email: string | null;
  phone: string | null;
  push_token: string | null;
  attributes: unknown;
  features: unknown;
};

async function withHistory(
  db: Kysely<Schema>,
  options: LoadAudienceOptions,
  rows: MemberRow[],
  trigger: SegmentRef | undefined,
): Promise<AudienceMember[]> {
  const { programId, now } = options;
  // Rows come in member-id order: the range lets each side query scan only the page's part of its
  // (program, member) index even when the planner's row counts are stale (the outbox grows by
  // hundreds of thousands of rows during a launch); the array picks the page's members from it.
  const memberIds = rows.map((r) => r.member_id);
  const first = memberIds[0] ?? 0;
  const last = memberIds.at(-1) ?? 0;
  // A page of consecutive ids (a whole-program audience) is its range alone: the array would make the
  // index scan descend once per member instead of reading the range through.
  const dense = last - first + 1 === memberIds.length;
  const inPage = (column: string) =>
    dense
      ? sql<boolean>`${sql.ref(column)} BETWEEN ${first} AND ${last}`
      : sql<boolean>`${sql.ref(column)} BETWEEN ${first} AND ${last} AND ${sql.ref(column)} = ANY(${memberIds}::bigint[])`;
  const ids = inPage('member_id');
  const pids = inPage('p.member_id');
  const windowHours = Math.max(
    1,
    ...Object.values(options.policy.frequencyCaps).map((c) => c.windowHours),
    ...Object.values(options.definition.frequencyCaps).map((c) => c.windowHours),
  );
  const since = new Date(now.getTime() - windowHours * 3_600_000);
  const subjects = rows.flatMap((r) =>
    [r.external_id, r.email?.toLowerCase(), r.phone].filter((s): s is string => !!s),
  );

  const [consents, unsubscribes, suppressions, sends, lastItems, entries, memberships] = await Promise.all([
    db
      .selectFrom('consents')
      .select(['member_id', 'channel', 'purpose', 'status', 'occurred_at'])
      .where('program_id', '=', programId)
      .where(ids)
      // Governance reads consent only for the campaign's purpose on its channels (choose-channel.ts).
      .where('purpose', '=', options.definition.purpose)
      .where('channel', 'in', options.definition.channels)
      .execute(),
    db
      .selectFrom('message_events')
      .select(['member_id', 'channel', 'occurred_at'])
      .where('program_id', '=', programId)
      .where(ids)
      .where('type', '=', 'unsubscribed')
      .execute(),
    db
      .selectFrom('suppressions')
      .select(['subject', 'list'])
      .where('program_id', '=', programId)
      .where(sql<boolean>`subject = ANY(${subjects}::text[])`)
      .execute(),
    db
      .selectFrom('outbox')
      .select(['member_id', 'campaign', 'channel', 'send_at'])
      .where('program_id', '=', programId)
      .where(ids)
      .where('status', 'in', ['pending', 'sending', 'sent'])
      .where('send_at', '>', since)
      .where('campaign', '!=', options.campaignKey)
      .execute(),
    !options.lastPurchase
      ? Promise.resolve([])
      : db
          .selectFrom('purchases as p')
          .innerJoin('purchase_items as i', (join) =>
            join.onRef('i.program_id', '=', 'p.program_id').onRef('i.event_id', '=', 'p.event_id'),
          )
          .distinctOn('p.member_id')
          .select(['p.member_id', 'i.description', 'i.sku', 'i.category'])
          .where('p.program_id', '=', programId)
          .where(pids)
          .where('p.kind', '=', 'order')
          .where('i.merchandise', '=', true)
          .orderBy('p.member_id')
          .orderBy('p.occurred_at', 'desc')
          .orderBy('i.line_no')
          .execute(),
    trigger === undefined
      ? Promise.resolve([])
      : db
          .selectFrom('segment_memberships')
          .select(['member_id', 'since'])
          .where('program_id', '=', programId)
          .where(ids)
          .where('scheme', '=', trigger.scheme)
          .where('segment', '=', trigger.segment)
          .execute(),
    !options.snapshots
      ? Promise.resolve([])
      : db
          .selectFrom('segment_memberships')
          .select(['member_id', SNAPSHOT_KEY.as('key')])
          .where('program_id', '=', programId)
          .where(ids)
          .groupBy('member_id')
          .execute(),
  ]);

  const byMember = <T extends { member_id: number }>(list: T[]) => {
    const map = new Map<number, T[]>();
    for (const item of list) {
      const items = map.get(item.member_id);
      if (items === undefined) map.set(item.member_id, [item]);
      else items.push(item);
    }
    return map;
  };
  const consentsOf = byMember(consents);
  const unsubscribesOf = byMember(unsubscribes);
  const sendsOf = byMember(sends);
  const lastOf = new Map(lastItems.map((i) => [i.member_id, i]));
  const entryOf = new Map(entries.map((e) => [e.member_id, e.since]));
  const snapshotOf = new Map(memberships.map((m) => [Number(m.member_id), m.key]));
  const listsOf = new Map<string, string[]>();
  for (const s of suppressions) {
    const lists = listsOf.get(s.subject);
    if (lists === undefined) listsOf.set(s.subject, [s.list]);
    else lists.push(s.list);
  }

  return rows.map((row) => {
    const features = (row.features ?? {}) as FeatureVector;
    const contacts: Partial<Record<Channel, string>> = { in_app: row.external_id };
    if (row.email) contacts.email = row.email;
    if (row.phone) contacts.sms = row.phone;
    if (row.push_token) contacts.push = row.push_token;
    const preference = features[CHANNEL_PREFERENCE_FEATURE];
    const suppressedBy = [row.external_id, row.email?.toLowerCase(), row.phone]
      .flatMap((subject) => (subject ? (listsOf.get(subject) ?? []) : []))
      .filter((list, i, all) => all.indexOf(list) === i);
    const last = lastOf.get(row.member_id);
    return {
      memberId: row.member_id,
      id: row.external_id,
      timezone: row.timezone,
      tier: row.tier,
      region: row.region,
      locale: row.locale,
      attributes: (row.attributes ?? {}) as PlanMember['attributes'],
      features,
      lastProduct: last?.description ?? last?.sku ?? null,
      lastCategory: last?.category ?? null,
      preferredChannels: Array.isArray(preference)
        ? preference
        : typeof preference === 'string'
          ? [preference]
          : [],
      reachable: new Set(Object.keys(contacts) as Channel[]),
      contacts,
      consents: (consentsOf.get(row.member_id) ?? []).map((c) => ({
        channel: c.channel as Channel,
        purpose: c.purpose as 'marketing' | 'service',
        status: c.status,
        at: c.occurred_at,
      })),
      unsubscribes: (unsubscribesOf.get(row.member_id) ?? []).map((u) => ({
        channel: u.channel as Channel,
        at: u.occurred_at,
      })),
      suppressedBy,
      sends: (sendsOf.get(row.member_id) ?? []).map((s) => ({
        campaignId: s.campaign,
        channel: s.channel as Channel,
        at: s.send_at,
      })),
      enteredAt: entryOf.get(row.member_id),
      ...(options.snapshots ? { snapshot: snapshotOf.get(row.member_id) ?? '' } : {}),
    };
  });
}
