import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { FORM_FIELDS, type FormFields } from '../../contracts/preferences.ts';
import type { Deps } from '../../services/deps.ts';
import { openPreferencePage } from '../../services/preference-centre/open-preference-page.ts';
import {
  type SubmitOutcome,
  submitPreferences,
  unsubscribeAll,
} from '../../services/preference-centre/submit-preferences.ts';
import type { AppEnv } from '../app.ts';
import {
  EXPIRED_LINK_PAGE,
  type Html,
  INVALID_LINK_PAGE,
  messagePage,
  STYLESHEET_PATH,
} from './page-layout.ts';
import { DONE_MESSAGES, type Done, preferencePage } from './preference-page.ts';
import { PREFERENCE_CSS } from './preference-style.ts';

/** Largest form body a member page accepts; a full form is a few kilobytes. */
export const MAX_FORM_BYTES = 64 * 1024;

/** The double-submit cookie: HttpOnly, SameSite=Lax (so a link opened from an email still carries it), path-scoped. */
export const FORM_COOKIE = 'nc_pc';

// No script may run, nothing may be framed, forms may post only here.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FORM_REJECTED = {
  invalid: {
    title: 'This form could not be accepted',
    message:
      'It may have been changed or sent from another site. Nothing was saved. Please open your preferences again and resend your changes.',
  },
  expired: {
    title: 'This form is too old',
    message:
      'The page was open for a long time, so for your security nothing was saved. Please open your preferences again and resend your changes.',
  },
  no_cookie: {
    title: 'Please allow cookies for this page',
    message:
      'Your browser did not send back the cookie that protects this form, so nothing was saved. Allow cookies for this site, open your preferences again and resend your changes.',
  },
};

/** The member-facing preference centre: server-rendered HTML, no script, no API key (the signed link is the key). */
export function preferencePageRoutes(deps: Deps) {
  const pages = new Hono<AppEnv>();
  pages.use('/preferences/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex');
  });
  pages.onError((error, c) => {
    deps.log.error('preference page failed', {
      requestId: c.get('requestId'),
      error: error.stack ?? error.message,
    });
    return send(
      c,
      500,
      messagePage({
        title: 'Something went wrong',
        message: 'Nothing was saved. Please try again in a few minutes.',
      }),
    );
  });

  pages.get(STYLESHEET_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(PREFERENCE_CSS);
  });

  pages.get('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const outcome = await openPreferencePage(deps, { token, cookie: getCookie(c, FORM_COOKIE) });
    if (!outcome.ok) return linkProblem(c, outcome.reason);
    keepCookie(c, outcome.cookie);
    const done = c.req.query('done');
    return send(
      c,
      200,
      preferencePage({ view: outcome.view, path: pathOf(token), done: isDone(done) ? done : undefined }),
    );
  });

  const formBody = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) =>
      send(
        c,
        413,
        messagePage({
          title: 'Too much was sent',
          message: 'Nothing was saved. Please open your preferences again.',
        }),
      ),
  });

  pages.post('/preferences/:token', formBody, async (c) => {
    const token = c.req.param('token');
    const fields = await readForm(c);
    if (!fields || crossSite(c))
      return send(c, 403, messagePage({ ...FORM_REJECTED.invalid, next: again(token) }));
    const outcome = await submitPreferences(deps, {
      token,
      formToken: fields[FORM_FIELDS.token]?.[0] ?? '',
      cookie: getCookie(c, FORM_COOKIE),
      fields,
    });
    if (outcome.status === 'invalid') {
      keepCookie(c, outcome.cookie);
      return send(
        c,
        422,
        preferencePage({
          view: outcome.view,
          path: pathOf(token),
          problems: outcome.problems,
          submitted: fields,
        }),
      );
    }
    return afterSubmit(c, token, outcome, 'saved');
  });

  pages.post('/preferences/:token/unsubscribe', formBody, async (c) => {
    const token = c.req.param('token');
    const fields = await readForm(c);
    if (!fields || crossSite(c))
      return send(c, 403, messagePage({ ...FORM_REJECTED.invalid, next: again(token) }));
    const outcome = await unsubscribeAll(deps, { token, formToken: fields[FORM_FIELDS.token]?.[0] ?? '' });
    if (outcome.status === 'invalid')
      return send(c, 403, messagePage({ ...FORM_REJECTED.invalid, next: again(token) }));
    return afterSubmit(c, token, outcome, 'unsubscribed');
  });
  return pages;
}

const pathOf = (token: string) => `/preferences/${token}`;
const again = (token: string) => ({ href: pathOf(token), text: 'Open your preferences again' });
const isDone = (value: string | undefined): value is Done =>
  value !== undefined && Object.hasOwn(DONE_MESSAGES, value);

async function send(c: Context, status: 200 | 403 | 404 | 410 | 413 | 422 | 500, page: Html) {
  return c.html(await page, status);
}

function linkProblem(c: Context, reason: 'invalid' | 'expired') {
  return reason === 'expired'
    ? send(c, 410, messagePage(EXPIRED_LINK_PAGE))
    : send(c, 404, messagePage(INVALID_LINK_PAGE));
}

/** Post/redirect/get: a reload after saving shows the page, it does not post again. */
function afterSubmit(
  c: Context,
  token: string,
  outcome: Exclude<SubmitOutcome, { status: 'invalid' }>,
  done: Done,
) {
  switch (outcome.status) {
    case 'link_invalid':
      return linkProblem(c, outcome.reason);
    case 'form_rejected':
      return send(c, 403, messagePage({ ...FORM_REJECTED[outcome.reason], next: again(token) }));
    case 'replayed':
      return c.redirect(`${pathOf(token)}?done=already-saved`, 303);
    case 'saved':
      return c.redirect(`${pathOf(token)}?done=${done}`, 303);
  }
}

function keepCookie(c: Context, value: string) {
  if (getCookie(c, FORM_COOKIE) === value) return;
  setCookie(c, FORM_COOKIE, value, {
    path: '/preferences',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

/**
 * A browser says where a form came from: `Sec-Fetch-Site` (every current browser), else `Origin`.
 * A post from another site is refused whatever else it carries. (Under this page's no-referrer
 * policy Chromium sends `Origin: null` even for its own forms, so `null` proves nothing either way.)
 */
function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host !== c.req.header('host');
  } catch {
    return true;
  }
}

/** The posted form's fields, or undefined when the body is not a URL-encoded form. */
async function readForm(c: Context): Promise<FormFields | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return undefined;
  // No prototype, so a field named __proto__ is just a field.
  const fields: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    if (!Object.hasOwn(fields, name)) fields[name] = [];
    fields[name]?.push(value);
  }
  return fields;
}
