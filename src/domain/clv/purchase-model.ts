import { bgnbdExpectedPurchases, bgnbdProbabilityAlive } from './bgnbd.ts';
import { paretoNbdExpectedPurchases, paretoNbdProbabilityAlive } from './pareto-nbd.ts';
import type { BgNbdParams, CustomerSummary, ParetoNbdParams } from './types.ts';

/** A fitted purchase-count model: either BTYD model, told apart by `model`. */
export type PurchaseModel =
  | { model: 'bgnbd'; params: BgNbdParams }
  | { model: 'pareto-nbd'; params: ParetoNbdParams };

type History = Pick<CustomerSummary, 'x' | 'tx' | 'T'>;

/** Conditional expected repeat purchases in the next t time units for a customer with this history. */
export function expectedPurchases(model: PurchaseModel, history: History, t: number): number {
  return model.model === 'bgnbd'
    ? bgnbdExpectedPurchases(model.params, history, t)
    : paretoNbdExpectedPurchases(model.params, history, t);
}

/** Probability that a customer with this history is still active at the calibration end. */
export function probabilityAlive(model: PurchaseModel, history: History): number {
  return model.model === 'bgnbd'
    ? bgnbdProbabilityAlive(model.params, history)
    : paretoNbdProbabilityAlive(model.params, history);
}

/** Expected repeat purchases in the first t time units after a first purchase (a brand-new customer). */
export function expectedRepeatFromStart(model: PurchaseModel, t: number): number {
  return expectedPurchases(model, { x: 0, tx: 0, T: 0 }, t);
}
