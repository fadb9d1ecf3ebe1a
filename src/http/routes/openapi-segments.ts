import { z } from 'zod';
import {
  CreatedWebhook,
  CreateSegmentInput,
  CreateWebhookInput,
  SegmentDetail,
  SegmentList,
  SegmentMembersPage,
  SegmentMigration,
  SegmentOverlap,
  SegmentRule,
  SegmentSizeSeries,
  SegmentTransitionEvent,
  UpdateSegmentInput,
  WebhookView,
} from '../../contracts/segments.ts';
import { MAX_MEMBERS_PAGE } from '../../services/segment-history/list-segment-members.ts';
import { apiOperation, jsonBody, ok, path, problem, programPath, ref } from './openapi-parts.ts';

// The segment and webhook part of the OpenAPI document, from the same contracts as the routes.
// The rule tree is recursive: it is published once as the SegmentRule component and referenced.

function describeRule(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) {
  if (ctx.zodSchema !== SegmentRule) return;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, ref('SegmentRule'));
}

/** A contract as a component schema; references into its own $defs or to itself become component references (the rule tree becomes SegmentRule). */
export function component(name: string, type: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const generated = z.toJSONSchema(type, {
    io,
    unrepresentable: 'any',
    ...(type === SegmentRule ? {} : { override: describeRule }),
  }) as Record<string, unknown>;
  const { $schema: _, $defs, ...json } = generated;
  const defs = ($defs ?? {}) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(json), (_key, value: unknown) => {
    const target = (value as { $ref?: unknown } | null)?.$ref;
    if (typeof target !== 'string') return value;
    if (target === '#') return ref(name);
    if (target.startsWith('#/$defs/')) return defs[target.slice('#/$defs/'.length)] ?? value;
    return value;
  }) as Record<string, unknown>;
}

/** A body schema whose `rule` (checked by validateRule, so typed unknown in the contract) is the rule tree. */
function withRule(json: Record<string, unknown>): Record<string, unknown> {
  const properties = json.properties as Record<string, unknown>;
  return { ...json, properties: { ...properties, rule: ref('SegmentRule') } };
}

const query = (name: string, description: string, required = false, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required,
  schema,
  description,
});

const program = programPath;
const segmentPath = [
  program,
  path('scheme', 'loyalty, rfm, lifecycle, apostle, declared or a custom scheme'),
  path('name'),
];
function operation(id: string, summary: string, scope: 'read' | 'manage', extra: Record<string, unknown>) {
  return apiOperation({ id, summary, scope, tag: id.includes('webhook') ? 'webhooks' : 'segments' }, extra);
}

/** Paths and component schemas of segments and webhooks. */
export function segmentApi(): { paths: Record<string, unknown>; schemas: Record<string, unknown> } {
  const base = '/v1/programs/{programId}';
  const segment = `${base}/segments/{scheme}/{name}`;
  const paths: Record<string, unknown> = {
    [`${base}/segments`]: {
      get: operation('list-segments', 'Every segment with its current size and definition version', 'read', {
        description:
          'Built-in segments have version "built-in"; the program-wide definitionsVersion moves with every threshold or definition change.',
        parameters: [program, query('scheme', 'only this scheme')],
        responses: ok('The segments', 'SegmentList'),
      }),
      post: operation('create-segment', 'Define a custom segment (version 1)', 'manage', {
        description:
          'The rule is checked against the feature catalogue: an unknown feature or a value of the wrong type is refused with its JSON path (details.issues). Built-in scheme names are reserved.',
        parameters: [program],
        requestBody: jsonBody('CreateSegmentInput'),
        responses: {
          ...ok('Created', 'SegmentDetail', '201'),
          '409': problem('The segment already exists; update it instead'),
          '422': problem('Invalid definition; details.issues lists each problem with its JSON path'),
        },
      }),
    },
    [segment]: {
      get: operation('show-segment', 'A custom segment with every version, newest first', 'read', {
        parameters: segmentPath,
        responses: { ...ok('The segment', 'SegmentDetail'), '404': problem('No such custom segment') },
      }),
      patch: operation(
        'update-segment',
        'Change a custom segment: adds a version, keeps the old ones',
        'manage',
        {
          parameters: segmentPath,
          requestBody: jsonBody('UpdateSegmentInput'),
          responses: {
            ...ok('The segment with its new version', 'SegmentDetail'),
            '404': problem('No such custom segment'),
            '422': problem('Invalid change; details.issues lists each problem with its JSON path'),
          },
        },
      ),
      delete: operation(
        'delete-segment',
        'Delete a custom segment (its latest version is marked deleted)',
        'manage',
        {
          parameters: segmentPath,
          responses: {
            ...ok('The segment, deleted', 'SegmentDetail'),
            '404': problem('No such custom segment'),
          },
        },
      ),
    },
    [`${segment}/members`]: {
      get: operation('list-segment-members', 'A page of the segment’s current members, with why', 'read', {
        parameters: [
          ...segmentPath,
          query('limit', `members per page (1-${MAX_MEMBERS_PAGE}, default 100)`, false, { type: 'integer' }),
          query('cursor', 'nextCursor of the previous page'),
        ],
        responses: { ...ok('The page', 'SegmentMembersPage'), '404': problem('No such segment') },
      }),
    },
    [`${segment}/export`]: {
      get: operation('export-segment', 'Stream the segment’s current members as CSV or NDJSON', 'read', {
        parameters: [
          ...segmentPath,
          query('format', 'csv (default) or ndjson', false, { enum: ['csv', 'ndjson'] }),
        ],
        responses: {
          '200': {
            description:
              'One row per member: memberId, since, explanation, joinedAt, tier, region, locale (CSV with a header)',
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          '404': problem('No such segment'),
        },
      }),
    },
    [`${base}/segment-migration`]: {
      get: operation(
        'segment-migration',
        'Members moving between segments from one date to another',
        'read',
        {
          description:
            'Rebuilt from the recorded transitions: a member’s segments at a moment are those whose last transition at or before it is an entry. A date means its start (00:00 UTC). "none" is no segment of the scheme.',
          parameters: [
            program,
            query('from', 'the earlier moment', true),
            query('to', 'the later moment', true),
            query('scheme', 'only this scheme'),
          ],
          responses: {
            ...ok('One matrix per scheme', 'SegmentMigration'),
            '422': problem('A missing or invalid date'),
          },
        },
      ),
    },
    [`${base}/segment-overlap`]: {
      get: operation(
        'segment-overlap',
        'Sizes of two segments, their intersection and Jaccard index',
        'read',
        {
          parameters: [program, query('a', 'scheme/name', true), query('b', 'scheme/name', true)],
          responses: { ...ok('The overlap', 'SegmentOverlap'), '404': problem('No such segment') },
        },
      ),
    },
    [`${base}/segment-sizes`]: {
      get: operation(
        'segment-sizes',
        'Segment sizes over time, from the snapshots each refresh takes',
        'read',
        {
          parameters: [
            program,
            query('scheme', 'only this scheme'),
            query('from', 'from this moment'),
            query('to', 'up to this moment'),
          ],
          responses: ok('One series per segment', 'SegmentSizeSeries'),
        },
      ),
    },
    [`${base}/segment-thresholds`]: {
      get: operation(
        'show-segment-thresholds',
        'The program’s overrides of the built-in thresholds and the values in force',
        'read',
        {
          parameters: [program],
          responses: ok('The thresholds', 'SegmentThresholds'),
        },
      ),
      put: operation(
        'set-segment-thresholds',
        'Replace the program’s overrides of the built-in thresholds',
        'manage',
        {
          description:
            'Unknown keys are refused with their JSON path. A key left out goes back to its default.',
          parameters: [program],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            ...ok('The thresholds', 'SegmentThresholds'),
            '422': problem('Unknown keys or wrong types'),
          },
        },
      ),
    },
    [`${base}/webhooks`]: {
      get: operation(
        'list-webhooks',
        'The program’s webhooks with delivery counts (never their secrets)',
        'manage',
        {
          parameters: [program],
          responses: {
            '200': {
              description: 'The webhooks',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['programId', 'webhooks'],
                    properties: {
                      programId: { type: 'string' },
                      webhooks: { type: 'array', items: ref('WebhookView') },
                    },
                  },
                },
              },
            },
          },
        },
      ),
      post: operation(
        'create-webhook',
        'Register a webhook; its signing secret is in this answer only',
        'manage',
        {
          description:
            'Deliveries are POSTs of a SegmentTransitionEvent with headers Narrowcast-Signature (t=<unix>,v1=<hex HMAC-SHA256 of "t.body">) and Idempotency-Key, retried with backoff until a 2xx answer.',
          parameters: [program],
          requestBody: jsonBody('CreateWebhookInput'),
          responses: {
            ...ok('Created', 'CreatedWebhook', '201'),
            '422': problem('Invalid URL or event type'),
          },
        },
      ),
    },
    [`${base}/webhooks/{webhookId}/disable`]: {
      post: operation('disable-webhook', 'Stop a webhook; queued deliveries are no longer sent', 'manage', {
        parameters: [program, path('webhookId')],
        responses: {
          '200': {
            description: 'Disabled',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'disabledAt'],
                  properties: { id: { type: 'string' }, disabledAt: { type: 'string' } },
                },
              },
            },
          },
          '404': problem('No such webhook'),
        },
      }),
    },
  };
  const schemas: Record<string, unknown> = {
    SegmentRule: component('SegmentRule', SegmentRule, 'input'),
    CreateSegmentInput: withRule(component('CreateSegmentInput', CreateSegmentInput, 'input')),
    UpdateSegmentInput: withRule(component('UpdateSegmentInput', UpdateSegmentInput, 'input')),
    SegmentDetail: component('SegmentDetail', SegmentDetail, 'output'),
    SegmentList: component('SegmentList', SegmentList, 'output'),
    SegmentMembersPage: component('SegmentMembersPage', SegmentMembersPage, 'output'),
    SegmentMigration: component('SegmentMigration', SegmentMigration, 'output'),
    SegmentOverlap: component('SegmentOverlap', SegmentOverlap, 'output'),
    SegmentSizeSeries: component('SegmentSizeSeries', SegmentSizeSeries, 'output'),
    SegmentThresholds: {
      type: 'object',
      required: ['programId', 'overrides', 'effective', 'definitionsVersion'],
      properties: {
        programId: { type: 'string' },
        overrides: {
          type: 'object',
          description: 'What the program overrides (loyalty, lifecycle, apostle, rfm, declared)',
        },
        effective: {
          type: 'object',
          description: 'Every threshold in force: the defaults with the overrides applied',
        },
        definitionsVersion: { type: 'integer' },
      },
    },
    CreateWebhookInput: component('CreateWebhookInput', CreateWebhookInput, 'input'),
    WebhookView: component('WebhookView', WebhookView, 'output'),
    CreatedWebhook: component('CreatedWebhook', CreatedWebhook, 'output'),
    SegmentTransitionEvent: component('SegmentTransitionEvent', SegmentTransitionEvent, 'output'),
  };
  return { paths, schemas };
}
