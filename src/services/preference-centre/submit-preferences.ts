import type { Kysely } from 'kysely';
import type { FormFields, FormProblem } from '../../contracts/preferences.ts';
import type { Schema } from '../../db/schema.ts';
import { parsePreferenceForm } from '../../domain/preferences/parse-form.ts';
import {
  planSubmission,
  planUnsubscribeAll,
  type SubmissionPlan,
} from '../../domain/preferences/plan-submission.ts';
import { checkWithAny, type FormCheck, verifyForm } from '../../domain/preferences/signed-tokens.ts';
import type { Deps } from '../deps.ts';
import { loadMemberFacts, type MemberPageContext, openMemberLink } from './member-page-context.ts';
import {
  isCookieValue,
  type PreferencePageView,
  pageView,
  UNSUBSCRIBE_COOKIE,
} from './open-preference-page.ts';
import { recordMemberChange } from './record-member-change.ts';

export type SubmitOutcome =
  | { status: 'link_invalid'; reason: 'invalid' | 'expired' }
  /** The form token is forged, for another member, too old, or the browser did not send the cookie back. */
  | { status: 'form_rejected'; reason: 'invalid' | 'expired' | 'no_cookie' }
  /** Nothing was written; the page is shown again with the problems. */
  | { status: 'invalid'; problems: FormProblem[]; view: PreferencePageView; cookie: string }
  /** This form was applied before: nothing was written again. */
  | { status: 'replayed' }
  | { status: 'saved'; declarations: number; consents: number; pointsAwarded: number };

export interface SubmitRequest {
  /** The member link's token. */
  token: string;
  /** The form's one-time token. */
  formToken: string;
  /** The double-submit cookie the browser sent, if any. */
  cookie?: string | undefined;
}

/** Applies a submit of the preference form: all of it in one transaction, or none of it. */
export function submitPreferences(
  deps: Deps,
  request: SubmitRequest & { fields: FormFields },
): Promise<SubmitOutcome> {
  return applyForm(deps, request, request.cookie, async (trx, context, cookie) => {
    const parsed = parsePreferenceForm(request.fields, context.config, context.quizzes, deps.clock());
    if (parsed.ok) return { form: parsed.form };
    return {
      invalid: {
        status: 'invalid',
        problems: parsed.problems,
        view: await pageView({ ...deps, db: trx }, context, cookie),
        cookie,
      },
    };
  });
}

/** The page's one-click "unsubscribe from all marketing". */
export function unsubscribeAll(deps: Deps, request: SubmitRequest): Promise<SubmitOutcome> {
  return applyForm(deps, request, UNSUBSCRIBE_COOKIE, async () => ({ form: 'unsubscribe' as const }));
}

type Checked =
  | { form: Parameters<typeof planSubmission>[1] | 'unsubscribe' }
  | { invalid: Extract<SubmitOutcome, { status: 'invalid' }> };

async function applyForm(
  deps: Deps,
  request: SubmitRequest,
  cookie: string | undefined,
  check: (trx: Kysely<Schema>, context: MemberPageContext, cookie: string) => Promise<Checked>,
): Promise<SubmitOutcome> {
  return deps.db.transaction().execute(async (trx): Promise<SubmitOutcome> => {
    const now = deps.clock();
    // Locking the member serialises submits of the same member (two tabs, a double click): the
    // second one sees the first one's awards and nonce.
    const opened = await openMemberLink(trx, request.token, now, { lock: true });
    if (!opened.ok) return { status: 'link_invalid', reason: opened.reason };
    const { context } = opened;
    if (cookie !== UNSUBSCRIBE_COOKIE && !isCookieValue(cookie))
      return { status: 'form_rejected', reason: 'no_cookie' };
    const expected = { programId: context.program.id, memberId: context.member.id, cookie };
    const invalid: FormCheck = { ok: false, reason: 'invalid' };
    const token = checkWithAny(
      context.secrets,
      (key) => verifyForm(key, request.formToken, expected, now),
      invalid,
    );
    if (!token.ok) return { status: 'form_rejected', reason: token.reason };

    const checked = await check(trx, context, cookie);
    if ('invalid' in checked) return checked.invalid;

    const fresh = await trx
      .insertInto('preference_form_uses')
      .values({
        program_id: context.program.id,
        nonce: token.nonce,
        member_id: context.member.rowId,
        used_at: now,
      })
      .onConflict((oc) => oc.columns(['program_id', 'nonce']).doNothing())
      .returning('nonce')
      .executeTakeFirst();
    if (!fresh) return { status: 'replayed' };

    const facts = await loadMemberFacts(trx, context);
    const submission = {
      programConfig: context.config,
      quizzes: context.quizzes,
      memberId: context.member.id,
      nonce: token.nonce,
      now,
      ...facts,
    };
    const plan: SubmissionPlan =
      checked.form === 'unsubscribe'
        ? planUnsubscribeAll(submission)
        : planSubmission(submission, checked.form);
    const { pointsAwarded } = await recordMemberChange(deps.db, trx, {
      programId: context.program.id,
      plan,
      asOf: context.program.asOf ?? now,
    });
    deps.log.info('preference centre change recorded', {
      programId: context.program.id,
      declarations: plan.declarations.length,
      consents: plan.consents.length,
      pointsAwarded,
    });
    return {
      status: 'saved',
      declarations: plan.declarations.length,
      consents: plan.consents.length,
      pointsAwarded,
    };
  });
}
