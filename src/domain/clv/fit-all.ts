import { fitBgNbd } from './bgnbd.ts';
import { fitGammaGamma, spendersOf } from './gamma-gamma.ts';
import { fitParetoNbd } from './pareto-nbd.ts';
import type {
  BgNbdFit,
  ClvModelName,
  CustomerSummary,
  FitOptions,
  GammaGammaFit,
  ParetoNbdFit,
} from './types.ts';

export interface FitAllOptions extends FitOptions {
  /** Which models to fit (default: all three). */
  models?: readonly ClvModelName[];
}

/** Every requested fit; a model that could not be fitted is listed in `skipped` with the reason. */
export interface FitAllResult {
  bgnbd?: BgNbdFit;
  paretoNbd?: ParetoNbdFit;
  gammaGamma?: GammaGammaFit;
  skipped: { model: ClvModelName; reason: string }[];
}

const ALL_MODELS: readonly ClvModelName[] = ['bgnbd', 'pareto-nbd', 'gamma-gamma'];

/**
 * Fits the purchase models (BG/NBD, Pareto/NBD) and the spend model (Gamma-Gamma) to one program's
 * calibration summaries. A program with no repeat buyers yet gets no spend model rather than an error,
 * since that is a normal state for a new program.
 */
export function fitAll(summaries: readonly CustomerSummary[], options: FitAllOptions = {}): FitAllResult {
  const models = options.models ?? ALL_MODELS;
  const fitOptions: FitOptions = {};
  if (options.maxIterations !== undefined) fitOptions.maxIterations = options.maxIterations;
  if (options.standardErrors !== undefined) fitOptions.standardErrors = options.standardErrors;
  const result: FitAllResult = { skipped: [] };
  const purchaseModels = models.filter((m) => m !== 'gamma-gamma');
  if (summaries.length === 0) {
    for (const model of models) result.skipped.push({ model, reason: 'no customers' });
    return result;
  }
  if (purchaseModels.includes('bgnbd')) result.bgnbd = fitBgNbd(summaries, fitOptions);
  if (purchaseModels.includes('pareto-nbd')) result.paretoNbd = fitParetoNbd(summaries, fitOptions);
  if (models.includes('gamma-gamma')) {
    if (spendersOf(summaries).length === 0) {
      result.skipped.push({
        model: 'gamma-gamma',
        reason: 'no customer has a repeat purchase with positive spend',
      });
    } else {
      result.gammaGamma = fitGammaGamma(summaries, fitOptions);
    }
  }
  return result;
}
