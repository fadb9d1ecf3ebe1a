import type { Kysely } from 'kysely';
import {
  lockMemberStates,
  type MemberStateRow,
  type MemberStateUpdate,
  type MembershipChangeRow,
  writeMemberStates,
  writeMembershipChanges,
} from '../../db/queries/member-features.ts';
import type { Schema } from '../../db/schema.ts';
import type { RfmScores } from '../../domain/features/derive-features.ts';
import {
  aggregateHistory,
  applyEvent,
  emptyAggregates,
  type MemberAggregates,
  pruneBuckets,
} from '../../domain/features/member-aggregates.ts';
import type { MemberEvent, MemberHistory } from '../../domain/features/member-history.ts';
import {
  diffMemberships,
  evaluateMember,
  rfmInputs,
  scoreAgainst,
} from '../../domain/segments/evaluate-member.ts';
import type { EvaluationSetup } from './evaluation-setup.ts';

const EMPTY = JSON.stringify(emptyAggregates(null));

export interface ReevaluateOptions {
  /** New events per member, applied to their stored aggregates first (none on a refresh). */
  events?: ReadonlyMap<number, readonly MemberEvent[]>;
  /** Full histories to rebuild the members' aggregates from, instead of their stored aggregates. */
  histories?: ReadonlyMap<number, MemberHistory>;
  cause: 'event' | 'refresh' | 'definition';
  /**
   * `stored`: R/F/M scores as the refresh ranked them (the columns). `incremental`: keep the stored
   * scores while the member's R/F/M inputs are unchanged, else score against the stored distributions.
   */
  scores: 'stored' | 'incremental';
  /**
   * Store the members' aggregates and features only, leaving memberships to a later pass (a
   * rebuild does this before the program is ranked, then decides memberships with the new ranks).
   */
  statesOnly?: boolean;
}

export interface ReevaluateResult {
  members: number;
  entered: number;
  left: number;
}

function storedScores(row: MemberStateRow): RfmScores | null {
  return row.r_score === null || row.f_score === null || row.m_score === null
    ? null
    : { r: row.r_score, f: row.f_score, m: row.m_score };
}

function modelOf(row: MemberStateRow) {
  if (row.p_alive === null || row.expected_purchases === null) return null;
  return {
    expectedPurchases12m: row.expected_purchases,
    pAlive: row.p_alive,
    expectedSpend: row.expected_spend,
    clv12m: row.clv,
    clvPercentile: row.clv_percentile,
  };
}

const sameInputs = (row: MemberStateRow, agg: MemberAggregates) => {
  const inputs = rfmInputs(agg);
  return (
    inputs !== null &&
    row.last_purchase_day === inputs.lastPurchaseDay &&
    row.frequency_orders === inputs.frequencyOrders &&
    row.monetary_total !== null &&
    Number(row.monetary_total) === Number(inputs.monetaryTotal)
  );
};

/** A member's values of the top-percent features, as their features hold them; null when there are none. */
function topValues(names: readonly string[], features: Readonly<Record<string, unknown>>) {
  if (names.length === 0) return null;
  const values: Record<string, unknown> = {};
  for (const name of names) values[name] = features[name] ?? null;
  return values;
}

/** One chunk's evaluation, ready to store. */
interface Evaluated {
  updates: MemberStateUpdate[];
  changes: MembershipChangeRow[];
  result: ReevaluateResult;
}

/** Locks the members' state rows, creating missing ones, and reads them (two statements). */
async function loadStates(
  db: Kysely<Schema>,
  setup: EvaluationSetup,
  ids: readonly number[],
): Promise<MemberStateRow[]> {
  return lockMemberStates(db, setup.programId, ids, EMPTY, setup.context.asOf);
}

/** The members' new state and membership changes: CPU only, nothing is read or written. */
function evaluateStates(
  setup: EvaluationSetup,
  rows: readonly MemberStateRow[],
  options: ReevaluateOptions,
): Evaluated {
  const { context } = setup;
  const updates: MemberStateUpdate[] = [];
  const changes: MembershipChangeRow[] = [];
  const result: ReevaluateResult = { members: rows.length, entered: 0, left: 0 };
  for (const row of rows) {
    const memberId = Number(row.member_id);
    const joinedAt = row.joined_at.toISOString();
    const history = options.histories?.get(memberId);
    const stored = row.aggregates as MemberAggregates;
    let agg: MemberAggregates =
      history !== undefined
        ? aggregateHistory({ ...history, joinedAt }, context.asOf)
        : stored.joinedAt === joinedAt
          ? stored
          : { ...stored, joinedAt };
    for (const event of options.events?.get(memberId) ?? []) agg = applyEvent(agg, event);
    agg = pruneBuckets(agg, context.asOf);
    const inputs = rfmInputs(agg);
    const rfm =
      options.scores === 'stored' || sameInputs(row, agg) ? storedScores(row) : scoreAgainst(inputs, context);
    const interests = agg.declarations.interest?.values ?? [];
    const schemes = setup.schemes.forMember(interests);
    const evaluation = evaluateMember(agg, {
      statesOnly: options.statesOnly ?? false,
      context,
      schemes,
      leaves: setup.leavesOf(schemes),
      rfm,
      model: modelOf(row),
    });
    updates.push({
      member_id: memberId,
      // Aggregates are immutable: the stored object back means no event, bucket or date changed
      // them, and the row keeps what it has (most members of a same-day full refresh).
      aggregates: agg === stored ? null : agg,
      features: evaluation.features,
      review_day: evaluation.reviewDay,
      last_purchase_day: inputs?.lastPurchaseDay ?? null,
      frequency_orders: agg.orders,
      monetary_total: inputs === null ? null : inputs.monetaryTotal,
      r_score: rfm?.r ?? null,
      f_score: rfm?.f ?? null,
      m_score: rfm?.m ?? null,
      top_values: topValues(setup.topFeatures, evaluation.features),
    });
    if (options.statesOnly) continue;
    const diff = diffMemberships(row.memberships, evaluation.assignments);
    result.entered += diff.entered.length;
    result.left += diff.left.length;
    for (const m of diff.entered) changes.push({ member_id: memberId, ...m, change: 'entered' });
    for (const m of diff.left) changes.push({ member_id: memberId, ...m, change: 'left' });
    for (const m of diff.reworded) changes.push({ member_id: memberId, ...m, change: 'reworded' });
  }
  return { updates, changes, result };
}

async function storeStates(
  db: Kysely<Schema>,
  setup: EvaluationSetup,
  { updates, changes }: Evaluated,
  cause: ReevaluateOptions['cause'],
): Promise<void> {
  await writeMemberStates(db, setup.programId, setup.context.asOf, updates);
  await writeMembershipChanges(db, setup.programId, setup.context.asOf, cause, changes);
}

/** A chunk of members to re-evaluate, and how; what it needs from the database is read in `load`. */
export interface MemberChunk {
  load(): Promise<{ memberIds: readonly number[]; options: ReevaluateOptions }>;
}

/**
 * Brings members' features and memberships up to date inside the caller's transaction, a chunk
 * at a time: applies their new events to the stored aggregates, derives features as of the setup's
 * as-of time, evaluates every scheme, and stores the state, the membership changes, their
 * transitions and the webhook deliveries they trigger. Members are locked for the rest of the
 * transaction. Chunks must not share members.
 *
 * The database and the evaluation overlap: the next chunk's reads are sent before this chunk
 * is evaluated, and its writes are sent without waiting, so the server reads and writes while
 * the process evaluates. Statements still run in order on the transaction's one connection, and
 * chunks share no member, so each chunk sees exactly what it would see run alone. `onChunk` is
 * told each chunk's result once its writes are done.
 */
export async function reevaluateChunks(
  db: Kysely<Schema>,
  setup: EvaluationSetup,
  chunks: readonly MemberChunk[],
  onChunk?: (result: ReevaluateResult, index: number) => void,
): Promise<ReevaluateResult> {
  const total: ReevaluateResult = { members: 0, entered: 0, left: 0 };
  const read = async (chunk: MemberChunk) => {
    const { memberIds, options } = await chunk.load();
    const ids = [...new Set(memberIds)].sort((a, b) => a - b);
    return { options, rows: await loadStates(db, setup, ids) };
  };
  // Every promise is marked handled as it is made; its failure surfaces where it is awaited.
  const handled = <T>(promise: Promise<T>) => {
    promise.catch(() => {});
    return promise;
  };
  let reading = chunks[0] === undefined ? undefined : handled(read(chunks[0]));
  let writing: Promise<void> = Promise.resolve();
  for (let i = 0; reading !== undefined; i++) {
    const { options, rows } = await reading;
    const next = chunks[i + 1];
    reading = next === undefined ? undefined : handled(read(next));
    const evaluated = evaluateStates(setup, rows, options);
    await writing;
    writing = handled(
      storeStates(db, setup, evaluated, options.cause).then(() => {
        total.members += evaluated.result.members;
        total.entered += evaluated.result.entered;
        total.left += evaluated.result.left;
        onChunk?.(evaluated.result, i);
      }),
    );
  }
  await writing;
  return total;
}
