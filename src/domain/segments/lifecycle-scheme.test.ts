import { describe, expect, it } from 'vitest';
import { assignSchemes } from './assign-schemes.ts';
import { daysAgo, member, PROGRAM, scheme } from './scheme-fixtures.ts';

const lifecycle = scheme('lifecycle');
const stageOf = (firstDaysAgo: number | null, lastDaysAgo: number | null) =>
  assignSchemes(
    member({
      frequency_orders: firstDaysAgo === null ? 0 : 2,
      first_purchase_at: firstDaysAgo === null ? null : daysAgo(firstDaysAgo),
      last_purchase_at: lastDaysAgo === null ? null : daysAgo(lastDaysAgo),
    }),
    PROGRAM,
    [lifecycle],
  )[0]?.memberships[0];

describe('the lifecycle scheme', () => {
  it('calls a member without an order a prospect', () => {
    expect(stageOf(null, null)?.segment).toBe('prospect');
  });

  it('calls a first purchase 89 days ago new, and 90 days ago not', () => {
    expect(stageOf(89, 89)?.segment).toBe('new');
    expect(stageOf(90, 10)?.segment).toBe('active');
  });

  it('moves from active to at risk at 90 days since the last purchase', () => {
    expect(stageOf(400, 89)?.segment).toBe('active');
    expect(stageOf(400, 90)?.segment).toBe('at_risk');
  });

  it('moves from at risk to lapsed at 180 days', () => {
    expect(stageOf(400, 179)?.segment).toBe('at_risk');
    expect(stageOf(400, 180)?.segment).toBe('lapsed');
  });

  it('moves from lapsed to churned at 365 days, and says why', () => {
    expect(stageOf(400, 364)?.segment).toBe('lapsed');
    const churned = stageOf(400, 365);
    expect(churned?.segment).toBe('churned');
    expect(churned?.explanation).toBe(
      `Churned: last purchase ${daysAgo(365).slice(0, 10)} 09:00 UTC is 365 days ago, not within the last 365 days`,
    );
  });

  it('follows overridden windows', () => {
    const short = scheme('lifecycle', { lifecycle: { activeWithinDays: 30 } });
    const stage = assignSchemes(
      member({ frequency_orders: 3, first_purchase_at: daysAgo(400), last_purchase_at: daysAgo(30) }),
      PROGRAM,
      [short],
    )[0]?.memberships[0];
    expect(stage?.segment).toBe('at_risk');
  });
});
