import {
  type PreferenceCentreConfig,
  quizSource,
  SECTION_KEYS,
  SECTION_NAMES,
} from '../../contracts/preferences.ts';
import { Channel, type RecordOf } from '../../contracts/records.ts';
import {
  CLEARED_SUFFIX,
  type ConsentFact,
  type DeclarationFact,
  type DeclaredValue,
  isStale,
  type MemberPreferences,
  memberPreferences,
} from './member-preferences.ts';
import type { PreferenceForm } from './parse-form.ts';
import type { ResolvedQuiz } from './quizzes.ts';
import { awardEventId, rewardItems } from './reward-items.ts';

// What one submit of the page writes, worked out before anything is written: the declarations that
// change (or re-confirm stale) values, the consent-ledger entries for channels whose consent changes,
// and the points for items completed now and never paid before.

/** The declaration source of the page's own sections. */
export const PREFERENCE_CENTRE_SOURCE = 'preference_centre';

export interface SubmissionContext {
  programConfig: PreferenceCentreConfig;
  quizzes: readonly ResolvedQuiz[];
  memberId: string;
  /** The submit's one-time nonce: it makes the ids of the new ledger entries. */
  nonce: string;
  now: Date;
  /** The member's stored declarations (of the tracked keys) and consents. */
  declarations: readonly DeclarationFact[];
  consents: readonly ConsentFact[];
  /** Items already paid. */
  awarded: ReadonlySet<string>;
}

export interface SubmissionPlan {
  declarations: RecordOf['declarations'][];
  consents: RecordOf['consents'][];
  points: RecordOf['points'][];
}

const sameValues = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

export function planSubmission(ctx: SubmissionContext, form: PreferenceForm): SubmissionPlan {
  const occurredAt = ctx.now.toISOString();
  const answerKeys = ctx.quizzes.flatMap((quiz) => quiz.questions.map((q) => q.key));
  const before = memberPreferences(ctx.declarations, ctx.consents, answerKeys);
  const stale = (value: DeclaredValue) => isStale(value, ctx.now, ctx.programConfig.staleAfterDays);

  const declarations: RecordOf['declarations'][] = [];
  const declare = (key: string, value: string, source: string) =>
    declarations.push({
      id: `pcd:${ctx.nonce}:${declarations.length + 1}`,
      memberId: ctx.memberId,
      occurredAt,
      key,
      value,
      source,
    });

  // A section is written when it changes, or when it was stale and the member has now seen and kept it.
  for (const section of SECTION_NAMES) {
    const wanted = form.sections[section];
    if (wanted === undefined) continue;
    const held = before.sections[section];
    if (sameValues(wanted, held.values) && !stale(held)) continue;
    const key = SECTION_KEYS[section];
    // Dropping a value withdraws the key (everything declared before now); the kept values are
    // declared again at the same moment, which also re-confirms them.
    if (held.values.some((value) => !wanted.includes(value)))
      declare(`${key}${CLEARED_SUFFIX}`, 'true', PREFERENCE_CENTRE_SOURCE);
    for (const value of wanted) declare(key, value, PREFERENCE_CENTRE_SOURCE);
  }
  for (const quiz of ctx.quizzes) {
    for (const question of quiz.questions) {
      const answer = form.answers[question.key];
      const held = before.answers[question.key] ?? { values: [], confirmedAt: null };
      if (answer === undefined || (sameValues([answer], held.values) && !stale(held))) continue;
      declare(question.key, answer, quizSource(quiz));
    }
  }

  const consents: RecordOf['consents'][] = [];
  for (const channel of form.consent === undefined ? [] : ctx.programConfig.channels.channels) {
    const wanted = form.consent?.includes(channel) ? 'granted' : 'revoked';
    const held = before.consents[channel];
    // A channel never asked and left unticked is not a change; anything else that differs is.
    if (wanted === held || (wanted === 'revoked' && held === undefined)) continue;
    consents.push(consentEntry(ctx, consents.length, channel, wanted));
  }

  const after = memberPreferences(
    [...ctx.declarations, ...declarations.map(toFact)],
    ctx.consents,
    answerKeys,
  );
  return { declarations, consents, points: newAwards(ctx, after) };
}

/** One click: revoke marketing on every channel whose latest consent is not already a revocation. */
export function planUnsubscribeAll(ctx: SubmissionContext): SubmissionPlan {
  const before = memberPreferences([], ctx.consents, []);
  const consents = Channel.options
    .filter((channel) => before.consents[channel] !== 'revoked')
    .map((channel, n) => consentEntry(ctx, n, channel, 'revoked'));
  return { declarations: [], consents, points: [] };
}

function consentEntry(
  ctx: SubmissionContext,
  index: number,
  channel: Channel,
  status: 'granted' | 'revoked',
): RecordOf['consents'] {
  return {
    id: `pcc:${ctx.nonce}:${index + 1}`,
    memberId: ctx.memberId,
    occurredAt: ctx.now.toISOString(),
    channel,
    purpose: 'marketing',
    status,
    source: PREFERENCE_CENTRE_SOURCE,
  };
}

function newAwards(ctx: SubmissionContext, after: MemberPreferences): RecordOf['points'][] {
  return rewardItems(ctx.programConfig, ctx.quizzes)
    .filter((item) => !ctx.awarded.has(item.item) && item.complete(after))
    .map((item) => ({
      id: awardEventId(ctx.memberId, item.item),
      memberId: ctx.memberId,
      occurredAt: ctx.now.toISOString(),
      type: 'earn' as const,
      points: item.points,
      reason: item.reason,
    }));
}

const toFact = (d: RecordOf['declarations']): DeclarationFact => ({
  id: d.id,
  key: d.key,
  value: d.value,
  occurredAt: d.occurredAt,
});
