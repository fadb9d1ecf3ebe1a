import type { Kysely } from 'kysely';
import type { MemberSegment } from '../../contracts/member-view.ts';
import type { FeatureVector } from '../../contracts/segments.ts';
import type { Schema } from '../../db/schema.ts';
import { deriveFeatures } from '../../domain/features/derive-features.ts';
import type { MemberAggregates } from '../../domain/features/member-aggregates.ts';
import { evaluateRule, explain } from '../../domain/segments/evaluate-rule.ts';
import { loadEvaluationSetup, programAsOf } from './evaluation-setup.ts';

export interface MemberSegmentsView {
  features: FeatureVector | null;
  featuresAsOf: string | null;
  segments: MemberSegment[];
}

/**
 * A member's features derived now from their stored aggregates (so day counts are today's even
 * between refreshes) and their current memberships. Each explanation is rebuilt from today's values
 * while the rule still holds; otherwise the stored one (from when it last held) is shown, until the
 * next refresh decides again.
 */
export async function memberSegments(
  db: Kysely<Schema>,
  programId: string,
  memberId: number,
  now: Date,
): Promise<MemberSegmentsView> {
  const state = await db
    .selectFrom('member_features as f')
    .leftJoin('member_predictions as p', (j) =>
      j.onRef('p.program_id', '=', 'f.program_id').onRef('p.member_id', '=', 'f.member_id'),
    )
    .leftJoin('member_ranks as r', (j) =>
      j.onRef('r.program_id', '=', 'f.program_id').onRef('r.member_id', '=', 'f.member_id'),
    )
    .select([
      'f.aggregates',
      'r.r_score',
      'r.f_score',
      'r.m_score',
      'p.expected_purchases',
      'p.p_alive',
      'p.expected_spend',
      'p.clv',
      'p.clv_percentile',
    ])
    .where('f.program_id', '=', programId)
    .where('f.member_id', '=', memberId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('segment_memberships')
    .select(['scheme', 'segment', 'since', 'explanation'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberId)
    .orderBy('scheme')
    .orderBy('segment')
    .execute();
  if (!state) {
    return { features: null, featuresAsOf: null, segments: [] };
  }
  const asOf = await programAsOf(db, programId, now);
  const setup = await loadEvaluationSetup(db, programId, asOf);
  const agg = state.aggregates as MemberAggregates;
  const rfm =
    state.r_score === null
      ? null
      : { r: state.r_score, f: state.f_score as number, m: state.m_score as number };
  const model =
    state.p_alive === null || state.expected_purchases === null
      ? null
      : {
          expectedPurchases12m: state.expected_purchases,
          pAlive: state.p_alive,
          expectedSpend: state.expected_spend,
          clv12m: state.clv,
          clvPercentile: state.clv_percentile,
        };
  const features = deriveFeatures(agg, asOf, { rfm, model });
  const schemes = setup.schemes.forMember(agg.declarations.interest?.values ?? []);
  const segments = rows.map((row) => {
    const definition = schemes
      .find((s) => s.name === row.scheme)
      ?.segments.find((s) => s.name === row.segment);
    const label = definition?.label ?? row.segment;
    let explanation = row.explanation;
    if (definition) {
      const result = evaluateRule(definition.rule, features, setup.context);
      if (result.match) explanation = explain(label, result);
    }
    return { scheme: row.scheme, segment: row.segment, label, since: row.since.toISOString(), explanation };
  });
  return { features, featuresAsOf: asOf.toISOString(), segments };
}
