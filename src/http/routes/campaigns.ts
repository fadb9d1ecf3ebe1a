import { Hono } from 'hono';
import { CampaignStatus } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import { authorize } from '../../services/authenticate-api-key.ts';
import { addSuppressions } from '../../services/campaigns/add-suppressions.ts';
import { approveCampaign } from '../../services/campaigns/approve-campaign.ts';
import { cancelCampaign } from '../../services/campaigns/cancel-campaign.ts';
import { createCampaign } from '../../services/campaigns/create-campaign.ts';
import { explainDecision } from '../../services/campaigns/explain-decision.ts';
import { launchCampaign } from '../../services/campaigns/launch-campaign.ts';
import { listCampaigns } from '../../services/campaigns/list-campaigns.ts';
import { previewCampaign } from '../../services/campaigns/preview-campaign.ts';
import { setGovernancePolicy } from '../../services/campaigns/set-governance-policy.ts';
import { showCampaign } from '../../services/campaigns/show-campaign.ts';
import { showGovernancePolicy } from '../../services/campaigns/show-governance-policy.ts';
import type { Deps } from '../../services/deps.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

const YAML_TYPES = /^(application|text)\/(x-)?yaml\b/;

/**
 * Campaigns of a program. Reading, previewing and asking why need `read`; saving, approving,
 * launching and cancelling need `manage`.
 * A definition is sent as JSON, or as YAML with Content-Type application/yaml.
 */
export function campaignRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .post('/programs/:programId/campaigns', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const source = YAML_TYPES.test(c.req.header('content-type') ?? '')
        ? { text: await c.req.text() }
        : { value: await readJson(c) };
      const saved = await createCampaign(deps, { programId, source });
      return c.json(saved, saved.change === 'unchanged' || saved.change === 'updated' ? 200 : 201);
    })
    .get('/programs/:programId/campaigns', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const statusParam = c.req.query('status');
      const status = statusParam === undefined ? undefined : CampaignStatus.safeParse(statusParam);
      if (status !== undefined && !status.success) {
        throw new AppError('INVALID_INPUT', `status must be one of ${CampaignStatus.options.join(', ')}`);
      }
      return c.json({ campaigns: await listCampaigns(deps, { programId, status: status?.data }) });
    })
    .get('/programs/:programId/campaigns/:name', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const versionParam = c.req.query('version');
      const version = versionParam === undefined ? undefined : Number(versionParam);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
        throw new AppError('INVALID_INPUT', 'version must be a whole number from 1');
      }
      return c.json(await showCampaign(deps, { programId, name: c.req.param('name'), version }));
    })
    .post('/programs/:programId/campaigns/:name/approve', async (c) => {
      const programId = c.req.param('programId');
      const principal = c.get('principal');
      authorize(principal, programId, 'manage');
      return c.json(
        await approveCampaign(deps, {
          programId,
          name: c.req.param('name'),
          approvedBy: `key:${principal.keyId}`,
        }),
      );
    })
    .post('/programs/:programId/campaigns/:name/cancel', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await cancelCampaign(deps, { programId, name: c.req.param('name') }));
    })
    .get('/programs/:programId/campaigns/:name/preview', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const members = c.req.queries('member');
      return c.json(await previewCampaign(deps, { programId, name: c.req.param('name'), members }));
    })
    .post('/programs/:programId/campaigns/:name/launch', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await launchCampaign(deps, { programId, name: c.req.param('name') }));
    })
    .get('/programs/:programId/campaigns/:name/members/:memberId/why', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(
        await explainDecision(deps, {
          programId,
          name: c.req.param('name'),
          memberId: c.req.param('memberId'),
        }),
      );
    })
    .get('/programs/:programId/campaign-policy', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(await showGovernancePolicy(deps, { programId }));
    })
    .put('/programs/:programId/campaign-policy', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await setGovernancePolicy(deps, { programId, changes: await readJson(c) }));
    })
    .post('/programs/:programId/suppressions/:list', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const body = (await readJson(c)) as { subjects?: unknown; reason?: unknown };
      if (!Array.isArray(body?.subjects) || !body.subjects.every((s) => typeof s === 'string')) {
        throw new AppError(
          'INVALID_INPUT',
          'the body must be {"subjects": ["member id, email or phone", ...]}',
        );
      }
      const reason = typeof body.reason === 'string' ? body.reason : undefined;
      return c.json(
        await addSuppressions(deps, {
          programId,
          list: c.req.param('list'),
          subjects: body.subjects,
          reason,
        }),
      );
    });
}
