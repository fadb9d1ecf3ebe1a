/** The unit that recency (tx), age (T) and horizons are measured in. */
export type TimeUnit = 'day' | 'week';

/** One member's calibration-period summary: the sufficient statistics of the BTYD models. */
export interface CustomerSummary {
  memberId: string;
  /** Repeat purchase days in the calibration period (first purchase excluded). */
  x: number;
  /** Time from first to last calibration purchase, in the time unit. */
  tx: number;
  /** Time from first purchase to calibration end, in the time unit. */
  T: number;
  /** Mean amount of the repeat (same-day-merged) calibration purchases; 0 when x = 0. */
  zbar: number;
  /** Repeat purchase days after calibration end up to the holdout end, when one was given. */
  holdoutX?: number;
}

/** Customers sharing one (x, tx, T), so a likelihood is evaluated once per distinct triple. */
export interface FrequencyGroup {
  x: number;
  tx: number;
  T: number;
  count: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export type ClvModelName = 'bgnbd' | 'pareto-nbd' | 'gamma-gamma';

/** The outcome of one maximum-likelihood fit. */
export interface FitResult<M extends ClvModelName, P> {
  model: M;
  params: P;
  logLikelihood: number;
  /** Customers the likelihood was summed over. */
  n: number;
  converged: boolean;
  iterations: number;
  /**
   * From the inverted Hessian (differences of the analytic gradient); absent when that Hessian is
   * not positive definite.
   */
  standardErrors?: P;
}

export type BgNbdFit = FitResult<'bgnbd', BgNbdParams>;
export type ParetoNbdFit = FitResult<'pareto-nbd', ParetoNbdParams>;
export type GammaGammaFit = FitResult<'gamma-gamma', GammaGammaParams>;

/** Options shared by the maximum-likelihood fits. */
export interface FitOptions {
  /** Largest number of optimiser iterations (default 1000). */
  maxIterations?: number;
  /** Whether to compute standard errors (default true). */
  standardErrors?: boolean;
}
