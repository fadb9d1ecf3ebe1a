import { AppError } from '../../contracts/errors.ts';
import { loadHistories } from '../../db/queries/member-histories.ts';
import {
  allMembers,
  analyzeMemberStates,
  type DistributionSource,
  dueMembers,
  fillTopValues,
  latestPredictionTime,
  membersBetween,
  membersWithEventsBetween,
  membersWithoutState,
  programHasEventsAfter,
  raiseSortMemory,
  rankAndSummarise,
  snapshotSizes,
  vacuumMemberStates,
} from '../../db/queries/segment-refresh.ts';
import { featureDefinition } from '../../domain/features/feature-catalog.ts';
import { hasEventsAfter } from '../../domain/features/member-aggregates.ts';
import { utcDay } from '../../domain/features/utc-days.ts';
import { RFM_DISTRIBUTIONS } from '../../domain/segments/evaluate-member.ts';
import { DEFAULT_DISTRIBUTION_POINTS, topPercentThreshold } from '../../domain/segments/program-context.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { loadEvaluationSetup, withDistributions } from './evaluation-setup.ts';
import { type MemberChunk, type ReevaluateOptions, reevaluateChunks } from './reevaluate-members.ts';

/** Members evaluated per statement group by default. */
const REFRESH_CHUNK = 2_000;
/**
 * Members rebuilt in one refresh from which the state table's statistics are taken again, and
 * members rewritten by a rebuild or full refresh from which its dead row versions are reclaimed.
 */
const RESTATS_AFTER = 50_000;

export interface RefreshOptions {
  programId: string;
  /** Defaults to the program's fixed as-of date, else now. */
  asOf?: Date;
  /** Re-evaluate every member, not only those whose values or thresholds moved. */
  full?: boolean;
  /** Rebuild every member's stored aggregates from their full history first (implies full). */
  rebuild?: boolean;
  /** Members evaluated per statement group (default 2,000): bounds memory and statement size. */
  chunkSize?: number;
  /**
   * Members rebuilt from history in this refresh from which the state table's planner statistics
   * are taken again inside the transaction, and members evaluated by a rebuild or full refresh
   * from which the table is vacuumed after it commits (default 50,000; see ADR 0031).
   */
  restatsAfter?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RefreshSummary {
  programId: string;
  asOf: string;
  mode: 'incremental' | 'full' | 'rebuild';
  /** Why members were re-evaluated, counted before de-duplication. */
  reasons: Record<string, number>;
  evaluated: number;
  entered: number;
  left: number;
}

const sameList = (a: readonly string[] | null, b: readonly string[]) =>
  a !== null && a.length === b.length && a.every((x, i) => x === b[i]);

const chunksOf = (ids: readonly number[], size: number): number[][] =>
  Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));

/** Chunks of members re-evaluated from their stored state, all with the same options. */
const plainChunks = (ids: readonly number[], size: number, options: ReevaluateOptions): MemberChunk[] =>
  chunksOf(ids, size).map((memberIds) => ({ load: async () => ({ memberIds, options }) }));

/** The (feature, percent) pairs of every top-percent leaf in the program's schemes. */
function topPercentLeaves(leaves: readonly { feature: string; op: string; value: unknown }[]) {
  return leaves
    .filter((l) => l.op === 'top_percent')
    .map((l) => ({ feature: l.feature, percent: l.value as number }));
}

/**
 * Brings every member's time-based features and memberships up to date as of a time, in one
 * transaction, without reading event history: R/F/M ranks and the top-percent distributions are
 * recomputed from the members' narrow rank rows (ADR 0032), and only members whose review day has
 * come, whose scores changed or whose value lies between an old and a new top-percent threshold
 * are re-evaluated. A full refresh (after a definition change, new CLV predictions, or on request)
 * re-evaluates everyone from their stored aggregates; a rebuild re-reads history. A rebuild as of
 * an earlier day than some stored events leaves them out and records that day as the history cut;
 * a refresh past the cut rebuilds the members whose events it now reaches (ADR 0008).
 */
export async function refreshSegments(deps: Deps, options: RefreshOptions): Promise<RefreshSummary> {
  const { programId } = options;
  const size = options.chunkSize ?? REFRESH_CHUNK;
  const threshold = options.restatsAfter ?? RESTATS_AFTER;
  const summary = await deps.db.transaction().execute(async (trx) => {
    // The one-pass ranking sorts every member's values; at a million members its sorts fit in
    // memory with this setting, which ends with the transaction.
    await raiseSortMemory(trx);
    const program = await requireProgram(trx, programId);
    const asOf = options.asOf ?? program.as_of ?? deps.clock();
    await trx
      .insertInto('segment_settings')
      .values({ program_id: programId })
      .onConflict((oc) => oc.column('program_id').doNothing())
      .execute();
    const settings = await trx
      .selectFrom('segment_settings')
      .selectAll()
      .where('program_id', '=', programId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const previous = (settings.distributions ?? {}) as Record<string, number[]>;
    if (
      settings.refreshed_as_of !== null &&
      utcDay(asOf) < utcDay(settings.refreshed_as_of) &&
      !options.rebuild
    ) {
      throw new AppError(
        'INVALID_INPUT',
        `as-of ${asOf.toISOString()} is before the last refresh (${settings.refreshed_as_of.toISOString()}); stored windows no longer reach back that far: use --rebuild to recompute from history`,
      );
    }
    const reasons: Record<string, number> = {};
    const wanted = new Set<number>();
    const add = (reason: string, list: readonly number[]) => {
      if (list.length === 0) return;
      reasons[reason] = (reasons[reason] ?? 0) + list.length;
      for (const id of list) wanted.add(id);
    };

    // Members without stored state are rebuilt from history whatever the mode.
    const missing = await membersWithoutState(trx, programId);
    const predictionsAt = await latestPredictionTime(trx, programId);
    const definitionsMoved = settings.definitions_version !== settings.evaluated_version;
    const predictionsMoved = predictionsAt !== null && predictionsAt > settings.updated_at;
    const firstRefresh = settings.refreshed_as_of === null;
    const mode: RefreshSummary['mode'] = options.rebuild
      ? 'rebuild'
      : options.full || definitionsMoved || predictionsMoved || firstRefresh
        ? 'full'
        : 'incremental';

    // A rebuild as of an earlier day than some stored events left them out of the aggregates (the
    // cut); moving past it, the members with events the new as-of now reaches are rebuilt too.
    const cut = settings.history_cut;
    const caughtUp =
      mode !== 'rebuild' && cut !== null && asOf.getTime() > cut.getTime()
        ? await membersWithEventsBetween(trx, programId, cut, asOf)
        : [];

    const setupBefore = await loadEvaluationSetup(trx, programId, asOf, previous);
    // Every member's stored top-percent values must be of the features the rules now read before
    // they are summarised below. A rebuild writes everyone's; otherwise, when the list differs from
    // the one they were stored for (a definition changed it, or none was stored yet), they are set
    // from the stored features in one pass. Members evaluated later in this refresh write their own.
    const topFeatures = [...setupBefore.topFeatures];
    if (mode !== 'rebuild' && !sameList(settings.top_features, topFeatures)) {
      await fillTopValues(trx, programId, topFeatures);
    }

    // 1. Members lacking state, or short of events since the cut, get it now, rebuilt from
    // history, so the ranks below see them.
    const rebuildIds =
      mode === 'rebuild'
        ? await allMembers(trx, programId)
        : [...new Set([...missing, ...caughtUp])].sort((a, b) => a - b);
    let leftOut = false;
    await reevaluateChunks(
      trx,
      setupBefore,
      chunksOf(rebuildIds, size).map((chunk) => ({
        load: async () => {
          const histories = await loadHistories(trx, programId, chunk);
          for (const history of histories.values()) {
            if (!leftOut && hasEventsAfter(history, asOf)) leftOut = true;
          }
          return {
            memberIds: chunk,
            options: { histories, cause: 'refresh', scores: 'incremental', statesOnly: true },
          };
        },
      })),
      (_, i) => options.onProgress?.(Math.min(rebuildIds.length, (i + 1) * size), rebuildIds.length),
    );
    if (mode === 'rebuild') add('rebuild', rebuildIds);
    else {
      add('no_state', missing);
      add('history_cut', caughtUp);
    }
    if (rebuildIds.length >= threshold) {
      // The planner's statistics still describe the state table as it was before this transaction
      // wrote a row for each of these members; the passes below plan their reads with them.
      await analyzeMemberStates(trx);
    }

    // 2. Exact R/F/M ranks, and the distributions events will be scored against until the next
    // refresh, read together in one pass over the program.
    const topLeaves = topPercentLeaves(setupBefore.leavesOf(setupBefore.schemes.forMember([])));
    const due = mode === 'incremental' ? await dueMembers(trx, programId, utcDay(asOf)) : [];
    const everyone = mode === 'full' ? await allMembers(trx, programId) : [];
    if (topLeaves.some((l) => featureDefinition(l.feature)?.source === 'as_of')) {
      // A top-percent rule on a windowed value: stored values must be current before the
      // distribution is read, or it would hold the counts of the day each state was last written.
      // Only state is stored here (rank columns do not move with time, so the ranking below is
      // unchanged); memberships are decided below, once, with the new ranks and distribution. A
      // rebuild has just stored everyone's state as of this day; an incremental refresh brings the
      // due members up to date; a full one everyone.
      await reevaluateChunks(
        trx,
        setupBefore,
        plainChunks(mode === 'full' ? everyone : due, size, {
          cause: 'refresh',
          scores: 'stored',
          statesOnly: true,
        }),
      );
    }
    const sources: [string, DistributionSource][] = [
      [RFM_DISTRIBUTIONS.r, { column: 'last_purchase_day' }],
      [RFM_DISTRIBUTIONS.f, { column: 'frequency_orders' }],
      [RFM_DISTRIBUTIONS.m, { column: 'monetary_total' }],
      ...setupBefore.topFeatures.map((feature): [string, DistributionSource] => [feature, { feature }]),
    ];
    const ranked = await rankAndSummarise(
      trx,
      programId,
      sources.map(([, source]) => source),
      DEFAULT_DISTRIBUTION_POINTS,
    );
    add('rfm_score', ranked.moved);
    const distributions: Record<string, number[]> = Object.fromEntries(
      sources.map(([key], i) => [key, ranked.distributions[i] ?? []]),
    );
    const setup = withDistributions(setupBefore, distributions);

    if (mode === 'incremental') {
      // 3. Members a moved top-percent threshold may have put in or out of a segment.
      for (const { feature, percent } of topLeaves) {
        const before = topPercentThreshold(previous[feature] ?? [], percent);
        const after = topPercentThreshold(distributions[feature] ?? [], percent);
        if (before === after) continue;
        if (before === null || after === null) {
          add(
            'threshold',
            await membersBetween(trx, programId, feature, -Number.MAX_VALUE, Number.MAX_VALUE),
          );
          continue;
        }
        add(
          'threshold',
          await membersBetween(trx, programId, feature, Math.min(before, after), Math.max(before, after)),
        );
      }
      // 4. Members whose time-based values or rules change by this as-of day.
      add('review_day', due);
    } else if (mode === 'full') {
      add(definitionsMoved ? 'definitions' : predictionsMoved ? 'predictions' : 'full', everyone);
    }

    const list = [...wanted].sort((a, b) => a - b);
    const summary: RefreshSummary = {
      programId,
      asOf: asOf.toISOString(),
      mode,
      reasons,
      evaluated: list.length,
      entered: 0,
      left: 0,
    };
    /** Where the stored aggregates now stop short of stored events, if anywhere. */
    const nextCut = async (): Promise<Date | null> => {
      if (mode === 'rebuild' || cut === null) return leftOut ? asOf : null;
      if (asOf.getTime() <= cut.getTime()) return cut;
      return leftOut || (await programHasEventsAfter(trx, programId, asOf)) ? asOf : null;
    };
    const cause = definitionsMoved ? 'definition' : 'refresh';
    await reevaluateChunks(trx, setup, plainChunks(list, size, { cause, scores: 'stored' }), (result, i) => {
      summary.entered += result.entered;
      summary.left += result.left;
      options.onProgress?.(Math.min(list.length, (i + 1) * size), list.length);
    });
    await snapshotSizes(trx, programId, asOf);
    await trx
      .updateTable('segment_settings')
      .set({
        distributions: JSON.stringify(distributions),
        history_cut: await nextCut(),
        top_features: topFeatures,
        refreshed_as_of: asOf,
        evaluated_version: settings.definitions_version,
        updated_at: deps.clock(),
      })
      .where('program_id', '=', programId)
      .execute();
    return summary;
  });
  if (summary.mode !== 'incremental' && summary.evaluated >= threshold) {
    // A rebuild or full refresh left a dead version of every member's state row (a rebuild,
    // several): without autovacuum keeping up, every later refresh would read them all. A daily
    // incremental refresh rewrites only the members due, and vacuuming the whole table after each
    // cost more than those rows do. VACUUM cannot run inside the refresh's transaction; once it has
    // committed, nothing is lost if this is cut short.
    await vacuumMemberStates(deps.db);
  }
  return summary;
}
