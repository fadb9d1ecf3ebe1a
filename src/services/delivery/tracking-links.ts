import { createHmac, timingSafeEqual } from 'node:crypto';

// Open pixels and click redirects (ADR 0025). A tracking token names the program, the message
// (its idempotency key), what it tracks (the open, or the n-th link of the rendered message) and
// when it expires, signed with the program's link secret under its own prefix, so an unsubscribe
// token can never pass for a tracking token. A click token holds the link's position, not the URL:
// the redirect target is read from the stored message, so the server only ever redirects to a URL
// that was in the message it sent (no open redirect), even for a correctly signed token.

/** How long tracking links work after the message is sent, in days. */
export const DEFAULT_TRACKING_LINK_DAYS = 90;

/** What a tracking token stands for. `link` is the link's position in the message; absent for the open pixel. */
export interface TrackingSubject {
  programId: string;
  messageId: string;
  link?: number | undefined;
  /** Unix seconds after which the token is refused. */
  expires: number;
}

const sign = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(`track.${payload}`).digest('base64url');

/** The signed token of a tracking link. */
export function trackingToken(subject: TrackingSubject, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify([subject.programId, subject.messageId, subject.link ?? -1, subject.expires]),
  ).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The program a token claims to be from (unverified: only to look up the secret to verify it with). */
export function claimedProgram(token: string): string | undefined {
  try {
    const [programId] = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString(),
    ) as unknown[];
    return typeof programId === 'string' ? programId : undefined;
  } catch {
    return undefined;
  }
}

/** A token's subject; `invalid` when it was not signed with this secret, `expired` past its time. */
export function readTrackingToken(
  token: string,
  secret: string,
  now: Date,
): { ok: true; subject: TrackingSubject } | { ok: false; reason: 'invalid' | 'expired' } {
  const [payload = '', signature = '', extra] = token.split('.');
  if (extra !== undefined) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'invalid' };
  let parts: unknown[];
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const [programId, messageId, link, expires] = parts;
  if (
    typeof programId !== 'string' ||
    typeof messageId !== 'string' ||
    !Number.isSafeInteger(link) ||
    !Number.isSafeInteger(expires)
  )
    return { ok: false, reason: 'invalid' };
  if (now.getTime() / 1000 > (expires as number)) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    subject: {
      programId,
      messageId,
      link: (link as number) < 0 ? undefined : (link as number),
      expires: expires as number,
    },
  };
}

const LINK = /https?:\/\/[^\s<>"'`]+/g;

/** The http(s) links of a rendered message, in order of first appearance, without trailing punctuation. */
export function linksOf(body: string): string[] {
  const links: string[] = [];
  for (const match of body.matchAll(LINK)) {
    const link = match[0].replace(/[.,;:!?)\]}]+$/, '');
    if (!links.includes(link)) links.push(link);
  }
  return links;
}

/**
 * An email's text and HTML with every link pointing through its signed click redirect and, in the
 * HTML, the open pixel at the end. The rendered body is text: the HTML is that text escaped, with
 * line breaks kept and links made anchors.
 */
export function trackEmail(options: {
  body: string;
  baseUrl: string;
  programId: string;
  messageId: string;
  secret: string;
  expires: number;
}): { text: string; html: string } {
  const base = options.baseUrl.replace(/\/+$/, '');
  const links = linksOf(options.body);
  const tracked = (link: number | undefined) =>
    trackingToken(
      { programId: options.programId, messageId: options.messageId, link, expires: options.expires },
      options.secret,
    );
  const clickUrl = (url: string) => `${base}/t/c/${tracked(links.indexOf(url))}`;
  let text = '';
  let html = '';
  let at = 0;
  for (const match of options.body.matchAll(LINK)) {
    const link = match[0].replace(/[.,;:!?)\]}]+$/, '');
    const before = options.body.slice(at, match.index);
    text += before + clickUrl(link);
    html += `${escapeHtml(before)}<a href="${escapeHtml(clickUrl(link))}">${escapeHtml(link)}</a>`;
    at = match.index + link.length;
  }
  text += options.body.slice(at);
  html += escapeHtml(options.body.slice(at));
  const pixel = `<img src="${base}/t/o/${tracked(undefined)}.gif" width="1" height="1" alt="" style="display:block;border:0">`;
  return {
    text,
    html: `<!doctype html><html><body><div style="white-space:pre-wrap">${html}</div>${pixel}</body></html>`,
  };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
