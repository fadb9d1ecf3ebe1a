import { z } from 'zod';

/** The purchase-count models a program can be scored with. */
export const CountModel = z.enum(['bgnbd', 'pareto-nbd']);
export type CountModel = z.infer<typeof CountModel>;

/** The spend-per-order models. */
export const SpendModel = z.enum(['gamma-gamma']);
export type SpendModel = z.infer<typeof SpendModel>;

export const ClvTimeUnit = z.enum(['day', 'week']);
export type ClvTimeUnit = z.infer<typeof ClvTimeUnit>;

/** One maximum-likelihood fit as reported: bgnbd r, alpha, a, b; pareto-nbd r, alpha, s, beta; gamma-gamma p, q, gamma. */
export const ClvModelFit = z.object({
  modelId: z.string(),
  model: z.enum(['bgnbd', 'pareto-nbd', 'gamma-gamma']),
  params: z.record(z.string(), z.number()),
  logLikelihood: z.number(),
  /** Customers the likelihood was summed over. */
  n: z.number().int(),
  converged: z.boolean(),
  iterations: z.number().int(),
  /** From the inverted numerical Hessian; null when that Hessian is not positive definite. */
  standardErrors: z.record(z.string(), z.number()).nullable(),
});
export type ClvModelFit = z.infer<typeof ClvModelFit>;

/** What `clv fit` reports: the count model's fit at top level, the spend model beside it. */
export const ClvFitReport = ClvModelFit.extend({
  programId: z.string(),
  calibrationEnd: z.string(),
  timeUnit: ClvTimeUnit,
  /** Customers in the program at the calibration end (members with an order by then). */
  customers: z.number().int(),
  spendModel: ClvModelFit.nullable(),
  /** Models that could not be fitted, with the reason (e.g. no repeat buyer yet for Gamma-Gamma). */
  skipped: z.array(z.object({ model: z.string(), reason: z.string() })),
  clv: z.object({ horizonMonths: z.number(), discountRate: z.number(), margin: z.number() }),
  /** Members given predictions. */
  scored: z.number().int(),
  computedAt: z.string(),
  /** Wall-clock seconds of each step. */
  seconds: z.object({
    readSummaries: z.number(),
    fitCountModel: z.number(),
    fitSpendModel: z.number(),
    scoreAndWrite: z.number(),
  }),
});
export type ClvFitReport = z.infer<typeof ClvFitReport>;

/** A member's stored model outputs. Money is an exact decimal string; null where it has no finite value. */
export const MemberPredictions = z.object({
  /** Expected repeat purchases over the next 12 months (the CLV horizon). */
  expectedPurchases: z.number(),
  /** Probability the member is still active at the calibration end. */
  pAlive: z.number(),
  /** Expected spend per future order. */
  expectedSpend: z.string().nullable(),
  /** Discounted margin over the CLV horizon. */
  clv: z.string().nullable(),
  /** CLV percentile (0-100) within the program. */
  clvPercentile: z.number().nullable(),
  model: CountModel,
  modelId: z.string(),
  spendModelId: z.string().nullable(),
  calibrationEnd: z.string(),
  computedAt: z.string(),
});
export type MemberPredictions = z.infer<typeof MemberPredictions>;
