import { Hono } from 'hono';
import { html } from 'hono/html';
import { AppError } from '../../contracts/errors.ts';
import { checkUnsubscribeToken, unsubscribeMember } from '../../services/campaigns/unsubscribe-member.ts';
import type { Deps } from '../../services/deps.ts';
import type { AppEnv } from '../app.ts';

// The page a member reaches from a message's unsubscribe link. It needs no key: the signed token is
// the authority. Opening the page changes nothing (mail scanners fetch links); the button, or a mail
// client's RFC 8058 one-click POST, unsubscribes.

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

export function unsubscribeRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/u/:token', async (c) => {
      const subject = await readOrNotFound(deps, c.req.param('token'));
      if (!subject)
        return c.html(page('Link not valid', html`<p>This unsubscribe link is not valid.</p>`), 404);
      return c.html(
        page(
          'Unsubscribe',
          html`<p>Stop marketing messages by ${subject.channel.replace('_', '-')}?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
    })
    .post('/u/:token', async (c) => {
      try {
        const subject = await unsubscribeMember(deps, { token: c.req.param('token') });
        return c.html(
          page(
            'Unsubscribed',
            html`<p>You will get no more marketing messages by ${subject.channel.replace('_', '-')}.</p>`,
          ),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') {
          return c.html(page('Link not valid', html`<p>This unsubscribe link is not valid.</p>`), 404);
        }
        throw error;
      }
    });
}

async function readOrNotFound(deps: Deps, token: string) {
  try {
    return await checkUnsubscribeToken(deps, token);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
