// Some declared values (health, religion, sexual orientation, ...) may be stored because a member
// chose to tell, but must never decide who is targeted or be printed back in a marketing message.
// The program lists those declaration keys; this guard reads feature names against the list.

/** Declaration keys treated as sensitive when a program lists none of its own. */
export const DEFAULT_SENSITIVE_DECLARATION_KEYS = [
  'health',
  'medical',
  'religion',
  'ethnicity',
  'sexual_orientation',
  'political_opinion',
  'trade_union',
  'disability',
] as const;

/** The sensitive declaration key a feature reads (`declared.health`, `declared_at.health`), if any. */
export function sensitiveFeatureKey(feature: string, sensitive: ReadonlySet<string>): string | undefined {
  for (const prefix of ['declared.', 'declared_at.']) {
    if (feature.startsWith(prefix)) {
      const key = feature.slice(prefix.length);
      return sensitive.has(key) ? key : undefined;
    }
  }
  return undefined;
}
