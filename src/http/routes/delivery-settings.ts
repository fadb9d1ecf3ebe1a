import { Hono } from 'hono';
import { authorize } from '../../services/authenticate-api-key.ts';
import { configureChannel } from '../../services/delivery/configure-channel.ts';
import { createFeedbackSecret } from '../../services/delivery/create-feedback-secret.ts';
import { listChannels } from '../../services/delivery/list-channels.ts';
import type { Deps } from '../../services/deps.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

/**
 * A program's delivery settings: channel endpoints and rate limits, and the feedback secret.
 * `manage` scope throughout: an endpoint decides where member contact details go.
 */
export function deliverySettingsRoutes(deps: Deps) {
  const base = '/programs/:programId/delivery';
  return new Hono<AppEnv>()
    .get(`${base}/channels`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json({ programId, channels: await listChannels(deps, { programId }) });
    })
    .put(`${base}/channels/:channel`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const input = await readJson(c);
      return c.json(await configureChannel(deps, { programId, channel: c.req.param('channel'), input }));
    })
    .post(`${base}/feedback-secret`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await createFeedbackSecret(deps, { programId }), 201);
    });
}
