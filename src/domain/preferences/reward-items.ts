import { createHash } from 'node:crypto';
import {
  type PreferenceCentreConfig,
  type QuizKind,
  quizSource,
  type SectionName,
} from '../../contracts/preferences.ts';
import { MAX_ID_LENGTH } from '../../contracts/scalars.ts';
import type { MemberPreferences } from './member-preferences.ts';
import type { ResolvedQuiz } from './quizzes.ts';

// Points for sharing (DESIGN.md §6): each item pays once per member, ever. The award's event id is
// derived from the member and the item, so however often the page is submitted — twice in a row,
// from two tabs, by a retry — the points ledger can hold that award only once (ADR 0012).

/** One thing a member can complete on the page for points. */
export interface RewardItem {
  /** `interests`, `birthday`, `profile`, `quiz:<id>`, ... : part of the award's event id. */
  item: string;
  points: number;
  /** The points-ledger reason: `profile` for the page's sections, the kind for a quiz, poll or challenge. */
  reason: 'profile' | QuizKind;
  /** What the page calls it. */
  label: string;
  complete(prefs: MemberPreferences): boolean;
}

/** The page's sections that are switched on, in page order. */
export function enabledSections(config: PreferenceCentreConfig): SectionName[] {
  const sections: SectionName[] = [];
  if (config.interests.enabled) sections.push('interests');
  if (config.frequency.enabled) sections.push('frequency');
  if (config.channels.enabled) sections.push('channels');
  if (config.values.enabled) sections.push('values');
  if (config.rewards.enabled) sections.push('rewards');
  if (config.birthday.enabled) sections.push('birthday');
  return sections;
}

const SECTION_LABELS: Record<SectionName, string> = {
  interests: 'your interests',
  frequency: 'how often we write',
  channels: 'your preferred channel',
  values: 'what matters to you',
  rewards: 'your favourite rewards',
  birthday: 'your birthday',
};

const filled = (prefs: MemberPreferences, section: SectionName) => prefs.sections[section].values.length > 0;

/** Every item that pays points under this configuration and these quizzes (items worth 0 are left out). */
export function rewardItems(config: PreferenceCentreConfig, quizzes: readonly ResolvedQuiz[]): RewardItem[] {
  const sections = enabledSections(config);
  const items: RewardItem[] = sections.map((section) => ({
    item: section,
    points: config[section].points,
    reason: 'profile',
    label: SECTION_LABELS[section],
    complete: (prefs) => filled(prefs, section),
  }));
  if (sections.length > 0)
    items.push({
      item: 'profile',
      points: config.profileCompletePoints,
      reason: 'profile',
      label: 'your complete profile',
      complete: (prefs) => sections.every((section) => filled(prefs, section)),
    });
  for (const quiz of quizzes)
    items.push({
      item: quizSource(quiz),
      points: quiz.points,
      reason: quiz.kind,
      label: quiz.title,
      complete: (prefs) => quiz.questions.every((q) => (prefs.answers[q.key]?.values.length ?? 0) > 0),
    });
  return items.filter((item) => item.points > 0);
}

/**
 * The event id of a member's award for an item: `pc:<member>:<item>`. A member id long enough to push
 * that past the id limit is replaced by its SHA-256, which is just as deterministic.
 */
export function awardEventId(memberId: string, item: string): string {
  const plain = `pc:${memberId}:${item}`;
  if (plain.length <= MAX_ID_LENGTH) return plain;
  return `pc:#${createHash('sha256').update(memberId).digest('base64url')}:${item}`;
}
