import {
  MULTI_VALUED_SECTIONS,
  SECTION_KEYS,
  SECTION_NAMES,
  type SectionName,
} from '../../contracts/preferences.ts';
import type { Channel } from '../../contracts/records.ts';
import {
  applyEvent,
  CLEARED_SUFFIX,
  confirmedAt,
  type DeclaredKey,
  emptyAggregates,
  latestHeld,
} from '../features/member-aggregates.ts';

// What a member has declared, read back from the declaration and consent ledgers (ADR 0011), by
// the same fold the segment engine keeps (member-aggregates.ts), so the page and the segments can
// never disagree. A save that drops a value declares `<key>.cleared` and the kept values at one
// moment: the marker withdraws everything declared before it.

export { CLEARED_SUFFIX };

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

/** The current values of one key: the held set of a multi-valued key, else its latest value. */
export function declaredValue(
  facts: readonly DeclarationFact[],
  key: string,
  multiValued: boolean,
): DeclaredValue {
  const marker = `${key}${CLEARED_SUFFIX}`;
  let agg = emptyAggregates(null);
  for (const record of facts) {
    if (record.key === key || record.key === marker) agg = applyEvent(agg, { event: 'declaration', record });
  }
  const declared: DeclaredKey | undefined = agg.declarations[key];
  if (declared === undefined) return NEVER;
  const cleared = declared.clearedAt ?? null;
  if (multiValued) return { values: declared.values, confirmedAt: confirmedAt(declared) ?? cleared };
  const held = latestHeld(declared);
  return held === null
    ? { values: [], confirmedAt: cleared }
    : { values: [held.value], confirmedAt: held.occurredAt };
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
    SECTION_NAMES.map((name) => [
      name,
      declaredValue(declarations, SECTION_KEYS[name], MULTI_VALUED_SECTIONS.includes(name)),
    ]),
  ) as Record<SectionName, DeclaredValue>;
  const answers = Object.fromEntries(answerKeys.map((key) => [key, declaredValue(declarations, key, false)]));
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
