import type { MemberOutcome } from './member-outcomes.ts';

// Per campaign x scheme x segment x arm sums. These are all a report needs: counts, and exact money
// sums with the sum of squares of per-member revenue for its variance, so a database can produce the
// same rows with GROUP BY and hand them to `campaignReport` without shipping member rows.

/** The sums of one cell. Money in 1/10,000ths. */
export interface CellTotals {
  assigned: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  orders: number;
  redeemed: number;
  redemptions: number;
  messages: number;
  revenueUnits: bigint;
  /** Sum over members of (revenue in units)^2, for the variance of revenue per member. */
  revenueSquaresUnits: bigint;
  /** Members whose revenue is above 0. */
  revenueMembers: number;
  messageCostUnits: bigint;
  offerCostUnits: bigint;
}

/** A cell: scheme null means all members of the arm; segment null, members in no segment of the scheme. */
export interface Cell {
  scheme: string | null;
  segment: string | null;
  arm: string;
  holdout: boolean;
  totals: CellTotals;
}

export function emptyTotals(): CellTotals {
  return {
    assigned: 0,
    sent: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    converted: 0,
    orders: 0,
    redeemed: 0,
    redemptions: 0,
    messages: 0,
    revenueUnits: 0n,
    revenueSquaresUnits: 0n,
    revenueMembers: 0,
    messageCostUnits: 0n,
    offerCostUnits: 0n,
  };
}

/** Adds one member's outcome to a cell's totals; each redemption costs `offerUnitCostUnits`. */
export function addOutcome(totals: CellTotals, outcome: MemberOutcome, offerUnitCostUnits: bigint): void {
  totals.assigned++;
  if (outcome.sent) totals.sent++;
  if (outcome.delivered) totals.delivered++;
  if (outcome.opened) totals.opened++;
  if (outcome.clicked) totals.clicked++;
  if (outcome.orders > 0) totals.converted++;
  totals.orders += outcome.orders;
  if (outcome.redemptions > 0) totals.redeemed++;
  totals.redemptions += outcome.redemptions;
  totals.messages += outcome.messages;
  if (outcome.revenueUnits !== 0n) {
    totals.revenueUnits += outcome.revenueUnits;
    totals.revenueSquaresUnits += outcome.revenueUnits * outcome.revenueUnits;
    if (outcome.revenueUnits > 0n) totals.revenueMembers++;
  }
  totals.messageCostUnits += outcome.messageCostUnits;
  totals.offerCostUnits += BigInt(outcome.redemptions) * offerUnitCostUnits;
}

/** The sum of several cells' totals (e.g. all variants of a campaign, pooled). */
export function poolTotals(list: readonly CellTotals[]): CellTotals {
  const pooled = emptyTotals();
  for (const t of list) {
    pooled.assigned += t.assigned;
    pooled.sent += t.sent;
    pooled.delivered += t.delivered;
    pooled.opened += t.opened;
    pooled.clicked += t.clicked;
    pooled.converted += t.converted;
    pooled.orders += t.orders;
    pooled.redeemed += t.redeemed;
    pooled.redemptions += t.redemptions;
    pooled.messages += t.messages;
    pooled.revenueUnits += t.revenueUnits;
    pooled.revenueSquaresUnits += t.revenueSquaresUnits;
    pooled.revenueMembers += t.revenueMembers;
    pooled.messageCostUnits += t.messageCostUnits;
    pooled.offerCostUnits += t.offerCostUnits;
  }
  return pooled;
}

/**
 * One campaign's member outcomes summed per cell: all members of each arm (scheme null), then per
 * scheme in `schemes`, per segment the member was in at assignment (several, in an overlapping
 * scheme; segment null when in none). Cells come out in first-seen order.
 */
export function tallyCells(
  outcomes: readonly MemberOutcome[],
  schemes: readonly string[],
  offerUnitCostUnits = 0n,
): Cell[] {
  const cells = new Map<string, Cell>();
  const add = (scheme: string | null, segment: string | null, outcome: MemberOutcome) => {
    const key = `${scheme ?? '\u0001'}\u0000${segment ?? '\u0001'}\u0000${outcome.arm}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { scheme, segment, arm: outcome.arm, holdout: outcome.holdout, totals: emptyTotals() };
      cells.set(key, cell);
    } else if (cell.holdout !== outcome.holdout) {
      throw new RangeError(`arm ${outcome.arm} holds both holdout and sent members`);
    }
    addOutcome(cell.totals, outcome, offerUnitCostUnits);
  };
  for (const outcome of outcomes) {
    add(null, null, outcome);
    for (const scheme of schemes) {
      let found = false;
      for (const membership of outcome.segments) {
        if (membership.scheme !== scheme) continue;
        add(scheme, membership.segment, outcome);
        found = true;
      }
      if (!found) add(scheme, null, outcome);
    }
  }
  return [...cells.values()];
}
