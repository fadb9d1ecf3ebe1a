import { Hono } from 'hono';
import { z } from 'zod';
import { ErrorBody } from '../../contracts/errors.ts';
import { MemberView } from '../../contracts/member-view.ts';
import { RECORD_SCHEMAS, type RecordKind } from '../../contracts/records.ts';
import { MAX_BATCH_RECORDS } from '../../services/ingest-batch.ts';
import type { AppEnv } from '../app.ts';
import { campaignApi } from './openapi-campaigns.ts';
import { apiKeySecurity, problem, programPath } from './openapi-parts.ts';
import { preferenceApi } from './openapi-preferences.ts';
import { reportApi } from './openapi-reports.ts';
import { segmentApi } from './openapi-segments.ts';

// The OpenAPI 3.1 document is generated from the same zod contracts that validate requests,
// through zod's own JSON Schema output (OpenAPI 3.1 schemas are JSON Schema 2020-12).
// Request bodies are described as clients send them (io: 'input'), responses as sent back.

const schema = (type: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...json } = z.toJSONSchema(type, {
    io,
    unrepresentable: 'any',
    override: describeTimestamps,
  }) as Record<string, unknown>;
  return json;
};

// Timestamps also accept a Date object from code, which JSON Schema cannot say; left alone that
// option becomes `{}` and the published schema would accept any value. Over JSON a timestamp is text.
function describeTimestamps(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: Record<string, unknown> }) {
  const def = ctx.zodSchema._zod.def;
  if (def.type !== 'union' || !def.options.some((option) => option._zod.def.type === 'date')) return;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, {
    type: 'string',
    description:
      'ISO 8601 date or date-time, e.g. 2024-05-01 or 2024-05-01T09:30:00Z (UTC when no zone is given)',
  });
}

const security = apiKeySecurity;

function ingestOperation(kind: RecordKind) {
  return {
    post: {
      operationId: `ingest-${kind}`,
      summary: `Ingest a batch of ${kind}`,
      description: `Up to ${MAX_BATCH_RECORDS} records. The batch commits whole or not at all; re-sending a record with the same id changes nothing. Needs the "ingest" scope.`,
      tags: ['ingest'],
      security,
      parameters: [programPath],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['records'],
              properties: {
                records: {
                  type: 'array',
                  maxItems: MAX_BATCH_RECORDS,
                  items: { $ref: `#/components/schemas/${kind}` },
                },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'Nothing new: every record was already stored',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchResult' } } },
        },
        '201': {
          description: 'Stored',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchResult' } } },
        },
        '401': problem('No API key, or an invalid one'),
        '403': problem('The key lacks the ingest scope or belongs to another program'),
        '409': problem('An id was reused with a different payload; details.problems lists each'),
        '413': problem('The body or the batch is too large'),
        '422': problem('Invalid records; details.problems lists each with its index and JSON path'),
      },
    },
  };
}

/** The whole OpenAPI 3.1 document. */
export function openApiDocument() {
  const kinds = Object.keys(RECORD_SCHEMAS) as RecordKind[];
  const paths: Record<string, unknown> = {};
  for (const kind of kinds) paths[`/v1/programs/{programId}/${kind}`] = ingestOperation(kind);
  paths['/v1/programs/{programId}/members/{memberId}'] = {
    get: {
      operationId: 'show-member',
      summary: 'A member and the totals of their history',
      tags: ['members'],
      security,
      parameters: [programPath, { name: 'memberId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': {
          description: 'The member',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/MemberView' } } },
        },
        '401': problem('No API key, or an invalid one'),
        '403': problem('The key lacks the read scope or belongs to another program'),
        '404': problem('No such member'),
      },
    },
  };
  const schemas: Record<string, unknown> = {
    ErrorBody: schema(ErrorBody, 'output'),
    MemberView: schema(MemberView, 'output'),
    BatchResult: {
      type: 'object',
      required: ['kind', 'received', 'inserted', 'updated', 'duplicate'],
      properties: {
        kind: { type: 'string' },
        received: { type: 'integer' },
        inserted: { type: 'integer' },
        updated: { type: 'integer' },
        duplicate: { type: 'integer' },
      },
    },
  };
  for (const kind of kinds) schemas[kind] = schema(RECORD_SCHEMAS[kind], 'input');
  for (const part of [segmentApi(), preferenceApi(), campaignApi(), reportApi()]) {
    Object.assign(paths, part.paths);
    Object.assign(schemas, part.schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Narrowcast API',
      version: '1',
      description:
        'Loyalty segmentation and campaigns. Every path is scoped to one program; an API key belongs to one program.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A Narrowcast API key (nck_...)' },
      },
    },
  };
}

export function openApiRoute() {
  const document = openApiDocument();
  return new Hono<AppEnv>().get('/openapi.json', (c) => c.json(document));
}
