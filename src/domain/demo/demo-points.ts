import type { RecordOf } from '../../contracts/records.ts';
import type { DemoEarning } from './demo-activity.ts';
import type { DemoReward } from './demo-defaults.ts';
import { DEMO_DAY_MS, DEMO_DEFAULTS } from './demo-defaults.ts';
import type { DemoOrder } from './demo-purchases.ts';
import { isoUtc } from './iso-time.ts';
import type { MemberProfile } from './member-profile.ts';
import type { Random } from './random.ts';

type PointsRecord = RecordOf['points'];

const D = DEMO_DEFAULTS;
/** A redemption follows the earning that made it affordable within this many days. */
const MAX_REDEEM_DELAY_DAYS = 7;
/** Frequent redeemers take the cheapest reward this often; everyone else saves for the dearest affordable. */
const FREQUENT_CHEAPEST_SHARE = 0.6;

type LedgerInput =
  | { time: number; kind: 'earn'; points: number; reason: string; orderId?: string }
  | { time: number; kind: 'clawback'; points: number; orderId: string };

function rewardFor(random: Random, profile: MemberProfile, balance: number): DemoReward | undefined {
  const affordable = D.rewards.filter((reward) => reward.points <= balance);
  if (affordable.length === 0) return undefined;
  const cheapest = profile.habit === 'frequent' && random.chance(FREQUENT_CHEAPEST_SHARE);
  return cheapest ? affordable[0] : affordable[affordable.length - 1];
}

/**
 * The points ledger: earnings from orders and activity, a clawback per refund, redemptions in
 * reward-sized chunks by the member's habit, and expiry of the whole balance after a long silence.
 * The running balance never goes below zero because only what is held is redeemed or clawed back.
 */
export function drawPoints(
  random: Random,
  profile: MemberProfile,
  orders: readonly DemoOrder[],
  earnings: readonly DemoEarning[],
): PointsRecord[] {
  const inputs: LedgerInput[] = [];
  for (const order of orders) {
    const points = Math.floor((order.goodsMinor / 100) * D.pointsPerCurrencyUnit);
    if (points > 0)
      inputs.push({ time: order.time, kind: 'earn', points, reason: 'purchase', orderId: order.id });
    if (order.refund && points > 0)
      inputs.push({ time: order.refund.time, kind: 'clawback', points, orderId: order.id });
  }
  for (const earning of earnings)
    inputs.push({ time: earning.time, kind: 'earn', points: earning.points, reason: earning.reason });
  inputs.sort((a, b) => a.time - b.time);

  const ledger: Omit<PointsRecord, 'id' | 'memberId' | 'occurredAt'>[] = [];
  const times: number[] = [];
  const emit = (time: number, entry: Omit<PointsRecord, 'id' | 'memberId' | 'occurredAt'>) => {
    times.push(time);
    ledger.push(entry);
  };

  const expiryMs = D.pointsExpiryDays * DEMO_DAY_MS;
  const redeemChance = profile.hostage ? 0 : D.redeemChance[profile.habit];
  let balance = 0;
  let lastActivity = profile.joinedAt;
  const expireIfSilentUntil = (time: number) => {
    if (balance > 0 && time - lastActivity > expiryMs) {
      emit(lastActivity + expiryMs, { type: 'expire', points: balance, reason: 'inactivity' });
      balance = 0;
    }
  };

  inputs.forEach((input, i) => {
    expireIfSilentUntil(input.time);
    if (input.kind === 'earn') {
      const entry: Omit<PointsRecord, 'id' | 'memberId' | 'occurredAt'> = {
        type: 'earn',
        points: input.points,
        reason: input.reason,
      };
      if (input.orderId !== undefined) entry.orderId = input.orderId;
      emit(input.time, entry);
      balance += input.points;
      lastActivity = input.time;
    } else {
      // A refund takes back what the order earned, or what is left if some was spent already.
      const points = Math.min(input.points, balance);
      if (points > 0)
        emit(input.time, { type: 'adjust', points: -points, reason: 'refund', orderId: input.orderId });
      balance -= points;
    }

    const reward = random.chance(redeemChance) ? rewardFor(random, profile, balance) : undefined;
    if (reward) {
      const next = Math.min(inputs[i + 1]?.time ?? profile.now, profile.now);
      const time = Math.round(
        input.time + random.uniform() * Math.min(next - input.time, MAX_REDEEM_DELAY_DAYS * DEMO_DAY_MS),
      );
      emit(time, { type: 'redeem', points: reward.points, reason: 'reward', reward: reward.name });
      balance -= reward.points;
      lastActivity = time;
    }
  });
  expireIfSilentUntil(profile.now);

  return ledger.map((entry, n) => ({
    id: `${profile.id}-t-${n + 1}`,
    memberId: profile.id,
    occurredAt: isoUtc(times[n] ?? profile.now),
    ...entry,
  }));
}
