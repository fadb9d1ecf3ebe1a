import { randomBytes } from 'node:crypto';
import type { PreferenceCentreConfig, SectionName } from '../../contracts/preferences.ts';
import {
  isStale,
  type MemberPreferences,
  memberPreferences,
} from '../../domain/preferences/member-preferences.ts';
import type { ResolvedQuiz } from '../../domain/preferences/quizzes.ts';
import { enabledSections, type RewardItem, rewardItems } from '../../domain/preferences/reward-items.ts';
import { signForm } from '../../domain/preferences/signed-tokens.ts';
import type { Deps } from '../deps.ts';
import { loadMemberFacts, type MemberPageContext, openMemberLink } from './member-page-context.ts';

/** Everything the member's page shows; nothing of another member or program is in it. */
export interface PreferencePageView {
  programName: string;
  config: PreferenceCentreConfig;
  sections: SectionName[];
  quizzes: ResolvedQuiz[];
  prefs: MemberPreferences;
  /** Items that pay points, and whether each is already paid. */
  rewards: (Pick<RewardItem, 'item' | 'label' | 'points'> & { earned: boolean })[];
  /** Sections and quiz answer keys whose values are older than the program's threshold. */
  stale: { sections: SectionName[]; answerKeys: string[] };
  /** One-time tokens for the page's two forms. */
  formToken: string;
  unsubscribeToken: string;
  expiresAt: Date;
}

export type PageOutcome =
  | { ok: true; view: PreferencePageView; cookie: string }
  | { ok: false; reason: 'invalid' | 'expired' };

/** A cookie value this server could have set: 128 random bits, base64url. */
export const isCookieValue = (value: string | undefined): value is string =>
  value !== undefined && /^[A-Za-z0-9_-]{22}$/.test(value);

export const newNonce = () => randomBytes(16).toString('base64url');

/** What the unsubscribe form is signed with instead of a cookie: one click must work even without cookies. */
export const UNSUBSCRIBE_COOKIE = '';

/**
 * Opens a member's preference page from their link. Reads only: nothing is written until the member
 * submits. `cookie` is the browser's double-submit cookie, when it sent one; the outcome names the
 * cookie to keep (the same, or a new one).
 */
export async function openPreferencePage(
  deps: Deps,
  { token, cookie }: { token: string; cookie?: string | undefined },
): Promise<PageOutcome> {
  const now = deps.clock();
  const opened = await openMemberLink(deps.db, token, now);
  if (!opened.ok) return opened;
  const keep = isCookieValue(cookie) ? cookie : randomBytes(16).toString('base64url');
  return { ok: true, view: await pageView(deps, opened.context, keep), cookie: keep };
}

/** The page of a member whose link is already open (also used to show a form again with its problems). */
export async function pageView(
  deps: Deps,
  context: MemberPageContext,
  cookie: string,
): Promise<PreferencePageView> {
  const now = deps.clock();
  const { config, quizzes } = context;
  const facts = await loadMemberFacts(deps.db, context);
  const answerKeys = quizzes.flatMap((quiz) => quiz.questions.map((q) => q.key));
  const prefs = memberPreferences(facts.declarations, facts.consents, answerKeys);
  const sections = enabledSections(config);
  const stale = (value: MemberPreferences['answers'][string] | undefined) =>
    value !== undefined && isStale(value, now, config.staleAfterDays);
  const token = (boundTo: string) =>
    signForm(context.secret, {
      programId: context.program.id,
      memberId: context.member.id,
      nonce: newNonce(),
      issuedAt: now,
      cookie: boundTo,
    });
  return {
    programName: context.program.name,
    config,
    sections,
    quizzes,
    prefs,
    rewards: rewardItems(config, quizzes).map(({ item, label, points }) => ({
      item,
      label,
      points,
      earned: facts.awarded.has(item),
    })),
    stale: {
      sections: sections.filter((s) => stale(prefs.sections[s])),
      answerKeys: answerKeys.filter((key) => stale(prefs.answers[key])),
    },
    formToken: token(cookie),
    unsubscribeToken: token(UNSUBSCRIBE_COOKIE),
    expiresAt: context.link.expiresAt,
  };
}
