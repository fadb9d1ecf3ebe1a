import { Hono } from 'hono';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { createWebhook } from '../../services/webhooks/create-webhook.ts';
import { disableWebhook } from '../../services/webhooks/disable-webhook.ts';
import { listWebhooks } from '../../services/webhooks/list-webhooks.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

/** Webhooks of a program (manage scope throughout: a webhook decides where member data goes). */
export function webhookRoutes(deps: Deps) {
  const base = '/programs/:programId/webhooks';
  return new Hono<AppEnv>()
    .post(base, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await createWebhook(deps, { programId, input: await readJson(c) }), 201);
    })
    .get(base, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json({ programId, webhooks: await listWebhooks(deps, { programId }) });
    })
    .post(`${base}/:webhookId/disable`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await disableWebhook(deps, { programId, webhookId: c.req.param('webhookId') }));
    });
}
