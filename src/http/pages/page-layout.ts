import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** The stylesheet's path; served by the pages' routes. */
export const STYLESHEET_PATH = '/assets/preference-centre.css';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The document around every member-facing page: English text, so `lang="en"`; no script. */
export function pageLayout({
  title,
  header,
  body,
  footer,
}: {
  title: string;
  header?: Html;
  body: Html;
  footer?: Html;
}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${header ?? ''}
<main id="main" tabindex="-1">
${body}
</main>
${footer ?? ''}
</body>
</html>`;
}

/** A page that says one thing and shows no member data: a bad or expired link, a refused form, an error. */
export function messagePage({
  title,
  message,
  next,
}: {
  title: string;
  message: string;
  next?: { href: string; text: string };
}): Html {
  return pageLayout({
    title,
    body: html`<h1>${title}</h1>
<p class="lead">${message}</p>
${next ? html`<p><a href="${next.href}">${next.text}</a></p>` : ''}`,
  });
}

export const INVALID_LINK_PAGE = {
  title: 'This link does not work',
  message:
    'The link may have been copied incompletely or changed. Please open the most recent link we sent you, or ask us for a new one.',
};

export const EXPIRED_LINK_PAGE = {
  title: 'This link has expired',
  message:
    'For your security, links to your preferences work for a limited time. Please open the most recent link we sent you, or ask us for a new one.',
};
