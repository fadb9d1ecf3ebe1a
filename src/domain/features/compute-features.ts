import type { FeatureVector } from '../../contracts/segments.ts';
import { type DeriveOptions, deriveFeatures } from './derive-features.ts';
import { aggregateHistory } from './member-aggregates.ts';
import type { MemberHistory } from './member-history.ts';

/**
 * The reference computation: one member's features as of `asOf` from their full history, events
 * after `asOf` ignored. Incremental upkeep (`applyEvent` then `deriveFeatures`) must equal it.
 */
export function computeFeatures(
  history: MemberHistory,
  asOf: Date,
  options: DeriveOptions = {},
): FeatureVector {
  return deriveFeatures(aggregateHistory(history, asOf), asOf, options);
}
