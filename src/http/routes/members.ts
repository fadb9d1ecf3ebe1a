import { Hono } from 'hono';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { showMember } from '../../services/show-member.ts';
import type { AppEnv } from '../app.ts';

/** GET /v1/programs/:programId/members/:memberId — the member and the totals of their history. */
export function memberRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/programs/:programId/members/:memberId', async (c) => {
    const programId = c.req.param('programId');
    authorize(c.get('principal'), programId, 'read');
    return c.json(await showMember(deps, { programId, memberId: c.req.param('memberId') }));
  });
}
