// The building blocks every part of the OpenAPI document shares: references to component schemas,
// the error body, JSON bodies and responses, path parameters, and an API-key operation
// with its 401 and 403.

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A response with the one error body (`ErrorBody`). */
export const problem = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('ErrorBody') } },
});

/** A JSON response: a component by name, or a schema given inline. */
export const ok = (description: string, schema: string | object, status = '200') => ({
  [status]: {
    description,
    content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } },
  },
});

/** A required JSON request body of a component schema. */
export const jsonBody = (schema: string) => ({
  required: true,
  content: { 'application/json': { schema: ref(schema) } },
});

export const path = (name: string, description?: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  ...(description ? { description } : {}),
});

export const programPath = path('programId');

export const apiKeySecurity = [{ apiKey: [] }];

/** An operation authorised by an API key with `scope`: `extra` holds its parameters, body and responses. */
export function apiOperation(
  { id, summary, scope, tag }: { id: string; summary: string; scope: string; tag: string },
  extra: Record<string, unknown>,
) {
  const { responses, ...rest } = extra as { responses: Record<string, unknown> };
  return {
    operationId: id,
    summary,
    tags: [tag],
    security: apiKeySecurity,
    ...rest,
    responses: {
      ...responses,
      '401': problem('No API key, or an invalid one'),
      '403': problem(`The key lacks the ${scope} scope or belongs to another program`),
    },
  };
}
