import {
  CampaignDefinition,
  CampaignPreview,
  CampaignView,
  GovernancePolicy,
  LaunchResult,
} from '../../contracts/campaigns.ts';
import {
  ChannelSettingsChange,
  ChannelSettingsResult,
  ChannelSettingsView,
  FeedbackBatch,
  FeedbackResult,
} from '../../contracts/delivery.ts';
import { apiOperation, jsonBody, ok, path, problem, programPath, ref } from './openapi-parts.ts';
import { component } from './openapi-segments.ts';

// The campaign and delivery part of the OpenAPI document: campaign lifecycle, preview, launch and
// why under /v1 (API key), and the member- and provider-facing paths that a signature authorises
// instead (unsubscribe, tracking, delivery feedback).

const program = programPath;
const campaign = [program, path('name', 'the campaign name')];
const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});

function operation(id: string, summary: string, scope: 'read' | 'manage', extra: Record<string, unknown>) {
  const tag = id.includes('channel') || id.includes('feedback') ? 'delivery' : 'campaigns';
  return apiOperation({ id, summary, scope, tag }, extra);
}

const DecisionExplanation = {
  type: 'object',
  required: ['campaign', 'memberId', 'decisions'],
  properties: {
    campaign: { type: 'string' },
    memberId: { type: 'string' },
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        description:
          'One step: outcome, arm, variant, channel, the rules in order with their outcome and detail, and the outbox delivery (status, attempts, sentAt, lastError).',
      },
    },
  },
};

/** Paths and component schemas of campaigns and delivery. */
export function campaignApi(): { paths: Record<string, unknown>; schemas: Record<string, unknown> } {
  const base = '/v1/programs/{programId}';
  const one = `${base}/campaigns/{name}`;
  const paths: Record<string, unknown> = {
    [`${base}/campaigns`]: {
      post: operation(
        'save-campaign',
        'Save a campaign definition (JSON, or YAML as application/yaml)',
        'manage',
        {
          description:
            'A draft is changed in place; a change to an approved campaign makes a new draft version. Template errors name their line and column (details.issues).',
          parameters: [program],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('CampaignDefinition') },
              'application/yaml': { schema: { type: 'string' } },
            },
          },
          responses: {
            ...ok('Saved (unchanged or updated)', {
              type: 'object',
              properties: { change: { type: 'string' }, campaign: ref('CampaignView') },
            }),
            ...ok(
              'Created',
              { type: 'object', properties: { change: { type: 'string' }, campaign: ref('CampaignView') } },
              '201',
            ),
            '422': problem(
              'Invalid definition; details.issues lists each problem with its path, line and column',
            ),
          },
        },
      ),
      get: operation('list-campaigns', 'The latest version of every campaign', 'read', {
        parameters: [
          program,
          {
            name: 'status',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: 'only this status',
          },
        ],
        responses: ok('The campaigns', {
          type: 'object',
          properties: { campaigns: { type: 'array', items: { type: 'object' } } },
        }),
      }),
    },
    [one]: {
      get: operation('show-campaign', 'A campaign version (default: the latest)', 'read', {
        parameters: [
          ...campaign,
          { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
        ],
        responses: { ...ok('The campaign', 'CampaignView'), '404': problem('No such campaign') },
      }),
    },
    [`${one}/approve`]: {
      post: operation('approve-campaign', 'Approve the latest draft, freezing its content', 'manage', {
        parameters: campaign,
        responses: { ...ok('Approved', 'CampaignView'), '409': problem('Not a draft') },
      }),
    },
    [`${one}/cancel`]: {
      post: operation('cancel-campaign', 'Cancel the campaign; queued messages are not sent', 'manage', {
        parameters: campaign,
        responses: { ...ok('Cancelled', 'CampaignView'), '409': problem('Already completed or cancelled') },
      }),
    },
    [`${one}/preview`]: {
      get: operation(
        'preview-campaign',
        'Audience, exclusions per rule, arms, channels and sample messages',
        'read',
        {
          parameters: [
            ...campaign,
            {
              name: 'member',
              in: 'query',
              required: false,
              schema: { type: 'array', items: { type: 'string' } },
              description: 'members to render samples for (repeatable)',
            },
          ],
          responses: { ...ok('The preview', 'CampaignPreview'), '404': problem('No such campaign') },
        },
      ),
    },
    [`${one}/launch`]: {
      post: operation(
        'launch-campaign',
        'Decide every member and queue the messages (idempotent)',
        'manage',
        {
          parameters: campaign,
          responses: { ...ok('Launched', 'LaunchResult'), '409': problem('Not approved') },
        },
      ),
    },
    [`${one}/members/{memberId}/why`]: {
      get: operation('why-campaign-member', 'Why the member was or was not sent the campaign', 'read', {
        parameters: [...campaign, path('memberId')],
        responses: {
          ...ok('The decisions', DecisionExplanation),
          '404': problem('No decision for the member'),
        },
      }),
    },
    [`${base}/campaign-policy`]: {
      get: operation('show-campaign-policy', 'The program’s send rules', 'read', {
        parameters: [program],
        responses: ok('The policy', 'GovernancePolicy'),
      }),
      put: operation(
        'set-campaign-policy',
        'Change the program’s send rules (fields given are replaced)',
        'manage',
        {
          parameters: [program],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { ...ok('The policy', 'GovernancePolicy'), '422': problem('Invalid policy') },
        },
      ),
    },
    [`${base}/suppressions/{list}`]: {
      post: operation(
        'add-suppressions',
        'Put member ids, email addresses or phone numbers on a suppression list',
        'manage',
        {
          parameters: [program, path('list')],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['subjects'],
                  properties: {
                    subjects: { type: 'array', items: { type: 'string' } },
                    reason: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: ok('Added', {
            type: 'object',
            properties: { list: { type: 'string' }, added: { type: 'integer' } },
          }),
        },
      ),
    },
    [`${base}/delivery/channels`]: {
      get: operation('list-channels', 'Each channel’s endpoint and rate limit (never its secret)', 'manage', {
        parameters: [program],
        responses: ok('The channels', {
          type: 'object',
          properties: {
            programId: { type: 'string' },
            channels: { type: 'array', items: ref('ChannelSettingsView') },
          },
        }),
      }),
    },
    [`${base}/delivery/channels/{channel}`]: {
      put: operation(
        'configure-channel',
        'Set a channel’s webhook endpoint (sms, push, in_app) and rate limit',
        'manage',
        {
          description:
            'A new endpoint, or rotateSecret, returns its signing secret once (`secret`). Each message is POSTed as JSON with Idempotency-Key and Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>.',
          parameters: [program, path('channel', 'email, sms, push or in_app')],
          requestBody: jsonBody('ChannelSettingsChange'),
          responses: { ...ok('The settings', 'ChannelSettingsResult'), '422': problem('Invalid settings') },
        },
      ),
    },
    [`${base}/delivery/feedback-secret`]: {
      post: operation(
        'create-feedback-secret',
        'Make or replace the secret that signs delivery feedback',
        'manage',
        {
          parameters: [program],
          responses: ok(
            'The secret, shown once',
            { type: 'object', properties: { programId: { type: 'string' }, secret: { type: 'string' } } },
            '201',
          ),
        },
      ),
    },
    '/hooks/delivery-feedback/{programId}': {
      post: {
        operationId: 'delivery-feedback',
        summary: 'Bounce, complaint and delivery reports from the email provider',
        description:
          'Signed instead of keyed: Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256(feedback secret, "t.body")>, at most 5 minutes old. A hard bounce suppresses the address (list hard-bounce); a complaint revokes marketing consent and suppresses it (list complaint).',
        tags: ['delivery'],
        security: [],
        parameters: [
          program,
          { name: 'Narrowcast-Signature', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: jsonBody('FeedbackBatch'),
        responses: {
          ...ok('Recorded', 'FeedbackResult'),
          '401': problem('The signature is missing, wrong or stale'),
          '413': problem('The body is too large'),
          '422': problem(
            'Invalid reports, or a report naming no message of the program; nothing was recorded',
          ),
        },
      },
    },
    '/t/o/{token}.gif': {
      get: {
        operationId: 'track-open',
        summary: 'Open pixel of a sent email: records an `opened` event',
        tags: ['delivery'],
        security: [],
        parameters: [path('token', 'signed, expiring tracking token')],
        responses: {
          '200': {
            description: 'A transparent 1x1 GIF',
            content: { 'image/gif': { schema: { type: 'string' } } },
          },
          '404': problem('Not a valid tracking link; nothing recorded'),
          '410': problem('The link has expired; nothing recorded'),
        },
      },
    },
    '/t/c/{token}': {
      get: {
        operationId: 'track-click',
        summary: 'Click redirect of a sent email: records a `clicked` event and redirects to the link',
        tags: ['delivery'],
        security: [],
        parameters: [path('token', 'signed, expiring tracking token')],
        responses: {
          '302': { description: 'To the link as it was in the message' },
          '404': html('Not a valid tracking link; nothing recorded'),
          '410': html('The link has expired; nothing recorded'),
        },
      },
    },
    '/u/{token}': {
      get: {
        operationId: 'unsubscribe-page',
        summary: 'The unsubscribe page of a message (changes nothing)',
        tags: ['delivery'],
        security: [],
        parameters: [path('token', 'signed unsubscribe token')],
        responses: { '200': html('The page with its button'), '404': html('Not a valid link') },
      },
      post: {
        operationId: 'unsubscribe',
        summary: 'Unsubscribe (the page’s button, or an RFC 8058 one-click POST)',
        tags: ['delivery'],
        security: [],
        parameters: [path('token', 'signed unsubscribe token')],
        responses: { '200': html('Unsubscribed'), '404': html('Not a valid link') },
      },
    },
  };
  const schemas: Record<string, unknown> = {
    CampaignDefinition: component('CampaignDefinition', CampaignDefinition, 'input'),
    CampaignView: component('CampaignView', CampaignView, 'output'),
    CampaignPreview: component('CampaignPreview', CampaignPreview, 'output'),
    LaunchResult: component('LaunchResult', LaunchResult, 'output'),
    GovernancePolicy: component('GovernancePolicy', GovernancePolicy, 'output'),
    ChannelSettingsChange: component('ChannelSettingsChange', ChannelSettingsChange, 'input'),
    ChannelSettingsView: component('ChannelSettingsView', ChannelSettingsView, 'output'),
    ChannelSettingsResult: component('ChannelSettingsResult', ChannelSettingsResult, 'output'),
    FeedbackBatch: component('FeedbackBatch', FeedbackBatch, 'input'),
    FeedbackResult: component('FeedbackResult', FeedbackResult, 'output'),
  };
  return { paths, schemas };
}
