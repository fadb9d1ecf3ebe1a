import { SECTION_KEYS, SECTION_NAMES, type SectionName } from '../../contracts/preferences.ts';
import type { Channel } from '../../contracts/records.ts';

// What a member has declared, read back from the declaration and consent ledgers (ADR 0011).
// A section is saved as a set: every value the member holds is declared at the same moment, so
// the current values of a key are those declared at its latest time. Emptying a section declares
// `<key>.cleared` at that moment, because a declaration always has a value.

/** Suffix of the marker key that records "the member cleared this section". */
export const CLEARED_SUFFIX = '.cleared';

/** One stored declaration, as the ledger has it. */
export interface DeclarationFact {
  id: string;
  key: string;
  value: string;
  /** ISO 8601, UTC, milliseconds (Date.toISOString). */
  occurredAt: string;
}

/** One stored consent-ledger entry. */
export interface ConsentFact {
  id: string;
  channel: Channel;
  purpose: string;
  status: 'granted' | 'revoked';
  occurredAt: string;
}

/** The values a member holds under a key, and when they last confirmed them (null: never declared). */
export interface DeclaredValue {
  values: string[];
  confirmedAt: string | null;
}

export interface MemberPreferences {
  sections: Record<SectionName, DeclaredValue>;
  /** Quiz, poll and challenge answers by declaration key. */
  answers: Record<string, DeclaredValue>;
  /** Latest marketing consent per channel; a channel never asked is absent. */
  consents: Partial<Record<Channel, 'granted' | 'revoked'>>;
}

const NEVER: DeclaredValue = { values: [], confirmedAt: null };

/** The current values of one key under the set semantics above. */
export function declaredValue(facts: readonly DeclarationFact[], key: string): DeclaredValue {
  const marker = `${key}${CLEARED_SUFFIX}`;
  let latest: string | null = null;
  for (const f of facts) {
    if ((f.key === key || f.key === marker) && (latest === null || f.occurredAt > latest))
      latest = f.occurredAt;
  }
  if (latest === null) return NEVER;
  const values = facts.filter((f) => f.key === key && f.occurredAt === latest).map((f) => f.value);
  return { values: [...new Set(values)].sort(), confirmedAt: latest };
}

/** The latest marketing consent per channel; ties on time go to the later id, as the ledger sorts them. */
export function marketingConsents(facts: readonly ConsentFact[]): MemberPreferences['consents'] {
  const latest = new Map<Channel, ConsentFact>();
  for (const f of facts) {
    if (f.purpose !== 'marketing') continue;
    const seen = latest.get(f.channel);
    if (!seen || f.occurredAt > seen.occurredAt || (f.occurredAt === seen.occurredAt && f.id > seen.id))
      latest.set(f.channel, f);
  }
  return Object.fromEntries([...latest].map(([channel, f]) => [channel, f.status]));
}

/** Everything the page shows as the member's current choices. */
export function memberPreferences(
  declarations: readonly DeclarationFact[],
  consents: readonly ConsentFact[],
  answerKeys: readonly string[],
): MemberPreferences {
  const sections = Object.fromEntries(
    SECTION_NAMES.map((name) => [name, declaredValue(declarations, SECTION_KEYS[name])]),
  ) as Record<SectionName, DeclaredValue>;
  const answers = Object.fromEntries(answerKeys.map((key) => [key, declaredValue(declarations, key)]));
  return { sections, answers, consents: marketingConsents(consents) };
}

/** Every declaration key the preference centre reads: its sections' keys, their markers, and the quiz keys. */
export function trackedKeys(answerKeys: readonly string[]): string[] {
  return [...Object.values(SECTION_KEYS), ...answerKeys].flatMap((key) => [key, `${key}${CLEARED_SUFFIX}`]);
}

/** True when the member holds values they have not confirmed within `staleAfterDays`. */
export function isStale(value: DeclaredValue, now: Date, staleAfterDays: number): boolean {
  if (value.confirmedAt === null || value.values.length === 0) return false;
  return now.getTime() - Date.parse(value.confirmedAt) > staleAfterDays * 86_400_000;
}
