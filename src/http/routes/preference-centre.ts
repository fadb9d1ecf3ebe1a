import { Hono } from 'hono';
import { AppError } from '../../contracts/errors.ts';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import {
  configurePreferenceCentre,
  showPreferenceConfig,
} from '../../services/preference-centre/configure-preference-centre.ts';
import { createMemberLink } from '../../services/preference-centre/create-member-link.ts';
import {
  archiveQuiz,
  defineQuiz,
  listQuizzes,
  showQuiz,
} from '../../services/preference-centre/manage-quizzes.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

/**
 * The marketer's side of the preference centre: the page's configuration, quizzes/polls/challenges,
 * and member links. Reads need the "read" scope; changes and links (which open a member's page) "manage".
 */
export function preferenceCentreRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/programs/:programId/preference-centre', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(await showPreferenceConfig(deps, { programId }));
    })
    .put('/programs/:programId/preference-centre', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await configurePreferenceCentre(deps, { programId, config: await readJson(c) }));
    })
    .get('/programs/:programId/quizzes', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const includeArchived = c.req.query('include') === 'archived';
      return c.json({ quizzes: await listQuizzes(deps, { programId, includeArchived }) });
    })
    .get('/programs/:programId/quizzes/:quizId', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(await showQuiz(deps, { programId, quizId: c.req.param('quizId') }));
    })
    .put('/programs/:programId/quizzes/:quizId', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const body = await readJson(c);
      const quizId = c.req.param('quizId');
      const definition = body !== null && typeof body === 'object' ? { id: quizId, ...body } : body;
      if ((definition as { id?: unknown })?.id !== quizId)
        throw new AppError('INVALID_INPUT', `the body's id must be "${quizId}", as in the path`);
      const { quiz, created } = await defineQuiz(deps, { programId, definition });
      return c.json(quiz, created ? 201 : 200);
    })
    .delete('/programs/:programId/quizzes/:quizId', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await archiveQuiz(deps, { programId, quizId: c.req.param('quizId') }));
    })
    .post('/programs/:programId/members/:memberId/preference-link', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const days = c.req.query('ttlDays');
      const ttlDays = days === undefined ? undefined : Number(days);
      if (ttlDays !== undefined && !Number.isInteger(ttlDays))
        throw new AppError('INVALID_INPUT', 'ttlDays must be a whole number of days');
      const link = await createMemberLink(deps, {
        programId,
        memberId: c.req.param('memberId'),
        ttlDays,
        baseUrl: new URL(c.req.url).origin,
      });
      return c.json(link, 201);
    });
}
