import { z } from 'zod';
import { CampaignReport, HealthReport, SegmentedVsBroadcastReport } from '../../contracts/measurement.ts';
import { problem, programPath, ref } from './openapi-parts.ts';

// The measurement reports in the OpenAPI document, from the contracts the services return.

const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const liftParams = [
  query('rule', 'attribution rule (default last_touch)', {
    type: 'string',
    enum: ['last_touch', 'first_touch'],
  }),
  query('minMembers', 'an arm with fewer members is low-count (default 100)', {
    type: 'integer',
    minimum: 0,
  }),
  query('minConversions', 'fewer conversions or non-conversions make a lift low-count (default 10)', {
    type: 'integer',
    minimum: 0,
  }),
  query('confidence', 'confidence level of the intervals (default 0.95)', { type: 'number' }),
];

function component(type: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(type, { io: 'output', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
}

function read(operationId: string, summary: string, schema: string, parameters: unknown[]) {
  return {
    get: {
      operationId,
      summary,
      description: 'Needs the "read" scope. Shapes and definitions: docs/measurement.md.',
      tags: ['reports'],
      security: [{ apiKey: [] }],
      parameters: [programPath, ...parameters],
      responses: {
        '200': { description: 'The report', content: { 'application/json': { schema: ref(schema) } } },
        '401': problem('No API key, or an invalid one'),
        '403': problem('The key lacks the read scope or belongs to another program'),
        '404': problem('No such program or campaign'),
        '422': problem('A query parameter is invalid; the message names it'),
      },
    },
  };
}

/** Paths and component schemas of the report routes. */
export function reportApi() {
  return {
    paths: {
      '/v1/programs/{programId}/reports/campaigns/{name}': read(
        'report-campaign',
        'Per segment and variant results of a campaign, with lift against its holdout',
        'CampaignReport',
        [
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          {
            ...query('scheme', 'break down by these schemes only (repeatable; default every scheme)'),
            style: 'form',
            explode: true,
          },
          ...liftParams,
        ],
      ),
      '/v1/programs/{programId}/reports/compare': read(
        'report-compare',
        'A segment-targeted campaign against a broadcast one (or one to a random audience of the same size)',
        'SegmentedVsBroadcastReport',
        [
          { ...query('targeted', 'the segment-targeted campaign'), required: true },
          { ...query('broadcast', 'the broadcast campaign'), required: true },
          ...liftParams,
        ],
      ),
      '/v1/programs/{programId}/reports/health': read(
        'report-health',
        'Segment sizes and migration, engagement with dips, points liability and the Apostle distribution',
        'HealthReport',
        [
          query('until', 'end of the report, ISO 8601 (default now)'),
          query('months', 'calendar months covered (default 6)', {
            type: 'integer',
            minimum: 1,
            maximum: 60,
          }),
          query('scheme', 'scheme to break engagement and liability down by (default loyalty)'),
          query('dipThreshold', 'a drop of more than this share is a dip (default 0.2)', { type: 'number' }),
          query('minMembers', 'smaller groups are never flagged (default 30)', {
            type: 'integer',
            minimum: 0,
          }),
          query('pointValue', 'money value of one point (default 0.01)'),
          query('redemptionRate', 'expected share of points redeemed, 0-1 (default from history)', {
            type: 'number',
          }),
        ],
      ),
    },
    schemas: {
      CampaignReport: component(CampaignReport),
      SegmentedVsBroadcastReport: component(SegmentedVsBroadcastReport),
      HealthReport: component(HealthReport),
    },
  };
}
