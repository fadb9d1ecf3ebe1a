import { Hono } from 'hono';
import { html } from 'hono/html';
import { AppError } from '../../contracts/errors.ts';
import { recordTrackingHit } from '../../services/delivery/record-tracking-hit.ts';
import type { Deps } from '../../services/deps.ts';
import type { AppEnv } from '../app.ts';
import { errorResponse } from '../http-errors.ts';

// The open pixel (`GET /t/o/{token}.gif`) and click redirects (`GET /t/c/{token}`) of sent email
// (ADR 0025). They need no key: the signed, expiring token is the authority. A link that does not
// verify gets 404, an expired one 410, and neither records anything.

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const page = (title: string, text: string) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;

export function trackingRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/t/o/:token', async (c) => {
      const hit = await recordTrackingHit(deps, {
        token: c.req.param('token').replace(/\.gif$/, ''),
        kind: 'open',
      });
      if (!hit.ok) {
        return errorResponse(
          c,
          hit.reason === 'expired'
            ? new AppError('LINK_EXPIRED', 'this tracking link has expired')
            : new AppError('NOT_FOUND', 'this tracking link is not valid'),
        );
      }
      return c.body(PIXEL, 200, { 'content-type': 'image/gif', 'cache-control': 'no-store, private' });
    })
    .get('/t/c/:token', async (c) => {
      const hit = await recordTrackingHit(deps, { token: c.req.param('token'), kind: 'click' });
      if (!hit.ok || hit.type !== 'clicked') {
        const expired = !hit.ok && hit.reason === 'expired';
        return c.html(
          page(
            expired ? 'Link expired' : 'Link not valid',
            expired ? 'This link has expired.' : 'This link is not valid.',
          ),
          expired ? 410 : 404,
        );
      }
      c.header('cache-control', 'no-store, private');
      c.header('referrer-policy', 'no-referrer');
      return c.redirect(hit.url, 302);
    });
}
