import { Hono } from 'hono';
import { AppError } from '../../contracts/errors.ts';
import { AttributionRule } from '../../contracts/measurement.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { compareCampaigns } from '../../services/reports/compare-campaigns.ts';
import { type ReportSettings, reportCampaign } from '../../services/reports/report-campaign.ts';
import { reportHealth } from '../../services/reports/report-health.ts';
import type { AppEnv } from '../app.ts';

type Query = (name: string) => string | undefined;

function numberParam(query: Query, name: string, whole = false): number | undefined {
  const value = query(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || (whole && !Number.isInteger(parsed))) {
    throw new AppError(
      'INVALID_INPUT',
      `query parameter ${name} must be a ${whole ? 'whole ' : ''}number, got "${value}"`,
    );
  }
  return parsed;
}

function settingsParams(query: Query): ReportSettings {
  const settings: ReportSettings = {};
  const rule = query('rule');
  if (rule !== undefined) {
    const parsed = AttributionRule.safeParse(rule);
    if (!parsed.success) {
      throw new AppError(
        'INVALID_INPUT',
        `query parameter rule must be one of ${AttributionRule.options.join(', ')}`,
      );
    }
    settings.attributionRule = parsed.data;
  }
  const minMembers = numberParam(query, 'minMembers', true);
  const minConversions = numberParam(query, 'minConversions', true);
  const confidence = numberParam(query, 'confidence');
  if (minMembers !== undefined) settings.minMembers = Math.max(0, minMembers);
  if (minConversions !== undefined) settings.minConversions = Math.max(0, minConversions);
  if (confidence !== undefined) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new AppError('INVALID_INPUT', 'query parameter confidence must be between 0 and 1');
    }
    settings.confidenceLevel = confidence;
  }
  return settings;
}

/** Measurement reports of a program; all need the `read` scope. */
export function reportRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/programs/:programId/reports/campaigns/:name', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const query: Query = (name) => c.req.query(name);
      return c.json(
        await reportCampaign(deps, {
          programId,
          campaign: c.req.param('name'),
          schemes: c.req.queries('scheme'),
          settings: settingsParams(query),
        }),
      );
    })
    .get('/programs/:programId/reports/compare', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const targeted = c.req.query('targeted');
      const broadcast = c.req.query('broadcast');
      if (!targeted || !broadcast) {
        throw new AppError(
          'INVALID_INPUT',
          'query parameters targeted and broadcast must name two campaigns',
        );
      }
      const query: Query = (name) => c.req.query(name);
      return c.json(
        await compareCampaigns(deps, { programId, targeted, broadcast, settings: settingsParams(query) }),
      );
    })
    .get('/programs/:programId/reports/health', async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const query: Query = (name) => c.req.query(name);
      const untilText = query('until');
      let until: Date | undefined;
      if (untilText !== undefined) {
        const parsed = Timestamp.safeParse(untilText);
        if (!parsed.success)
          throw new AppError('INVALID_INPUT', `query parameter until must be a date, got "${untilText}"`);
        until = new Date(parsed.data);
      }
      return c.json(
        await reportHealth(deps, {
          programId,
          until,
          months: numberParam(query, 'months', true),
          scheme: query('scheme'),
          dipThreshold: numberParam(query, 'dipThreshold'),
          minMembers: numberParam(query, 'minMembers', true),
          pointValue: query('pointValue'),
          redemptionRate: numberParam(query, 'redemptionRate'),
        }),
      );
    });
}
