import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';

// What the CLV summaries need beside the aggregates' purchase days: the order totals a member paid
// (`amount`, postage and fees included, as src/db/queries/clv-summaries.ts defines spend), in all
// and on their first order day, so that repeat spend (first purchase excluded) is their difference.
// Kept as two sums rather than the repeat spend itself because an order that arrives late and
// predates the first day makes the old first day's orders repeat orders: the update stays O(1)
// and order-independent (the result is a fold over the orders whatever their arrival order).

/** Sums of `amount` over a member's orders (refunds are not orders), as exact decimal strings. */
export interface OrderAmounts {
  /** Every order. */
  total: string;
  /** Orders on the first order day (UTC), which the spend model leaves out. */
  firstDay: string;
}

export const NO_ORDER_AMOUNTS: OrderAmounts = { total: '0.0000', firstDay: '0.0000' };

/**
 * The sums after one more order of `amount` on UTC day `day`, given the member's first order day
 * before it (undefined before any order). Pure.
 */
export function addOrderAmount(
  amounts: OrderAmounts,
  firstDayBefore: number | undefined,
  day: number,
  amount: string,
): OrderAmounts {
  const units = decimalToUnits(amount);
  const total = unitsToDecimal(decimalToUnits(amounts.total) + units);
  if (firstDayBefore === undefined || day < firstDayBefore) return { total, firstDay: unitsToDecimal(units) };
  if (day === firstDayBefore) {
    return { total, firstDay: unitsToDecimal(decimalToUnits(amounts.firstDay) + units) };
  }
  return { total, firstDay: amounts.firstDay };
}

/** Repeat spend: everything after the first order day, as an exact decimal string. */
export function repeatAmount(amounts: OrderAmounts): string {
  return unitsToDecimal(decimalToUnits(amounts.total) - decimalToUnits(amounts.firstDay));
}

/** The part of a member's aggregates the sums depend on. */
interface OrderState {
  orders: number;
  /** Distinct UTC order days, ascending. */
  purchaseDays: readonly number[];
  /** Absent in aggregates stored before the sums were kept: unknown until rebuilt from history. */
  orderAmounts?: OrderAmounts;
}

/**
 * The `orderAmounts` field of a member's aggregates after one more order (to spread into them).
 * Sums that are unknown stay unknown once the member has orders; a member with none starts afresh.
 */
export function withOrderAmount(
  agg: OrderState,
  day: number,
  amount: string,
): { orderAmounts?: OrderAmounts } {
  const before = agg.orderAmounts ?? (agg.orders === 0 ? NO_ORDER_AMOUNTS : undefined);
  if (before === undefined) return {};
  return { orderAmounts: addOrderAmount(before, agg.purchaseDays[0], day, amount) };
}
