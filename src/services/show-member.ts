import { AppError } from '../contracts/errors.ts';
import type { MemberView } from '../contracts/member-view.ts';
import { memberPrediction } from '../db/queries/clv-predictions.ts';
import { memberTotals } from '../db/queries/member-totals.ts';
import type { Deps } from './deps.ts';
import { memberSegments } from './segments/member-segments.ts';

/** A member of one program with the totals of their history; NOT_FOUND names the id. */
export async function showMember(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, memberId }: { programId: string; memberId: string },
): Promise<MemberView> {
  const m = await deps.db
    .selectFrom('members')
    .selectAll()
    .where('program_id', '=', programId)
    .where('external_id', '=', memberId)
    .executeTakeFirst();
  if (!m) throw new AppError('NOT_FOUND', `member "${memberId}" does not exist in program "${programId}"`);
  return {
    programId,
    member: {
      id: m.external_id,
      joinedAt: m.joined_at.toISOString(),
      tier: m.tier,
      timezone: m.timezone,
      locale: m.locale,
      email: m.email,
      phone: m.phone,
      pushToken: m.push_token,
      region: m.region,
      gender: m.gender,
      birthday: m.birthday,
      accountId: m.account_external_id,
      businessCategory: m.business_category,
      attributes: (m.attributes ?? {}) as Record<string, unknown>,
    },
    totals: await memberTotals(deps.db, programId, m.member_id),
    predictions: predictionsOf(await memberPrediction(deps.db, programId, m.member_id)),
    ...(await memberSegments(deps.db, programId, m.member_id, deps.clock())),
  };
}

function predictionsOf(p: Awaited<ReturnType<typeof memberPrediction>>): MemberView['predictions'] {
  if (p === null || p.model === 'gamma-gamma') return null;
  return {
    expectedPurchases: p.expected_purchases,
    pAlive: p.p_alive,
    expectedSpend: p.expected_spend,
    clv: p.clv,
    clvPercentile: p.clv_percentile,
    model: p.model,
    modelId: p.model_id,
    spendModelId: p.spend_model_id,
    calibrationEnd: p.calibration_end.toISOString(),
    computedAt: p.computed_at.toISOString(),
  };
}
