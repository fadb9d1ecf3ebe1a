import type { z } from 'zod';
import { MemberLink, PreferenceCentreConfig, Quiz, QuizDefinition } from '../../contracts/preferences.ts';
import { MAX_LINK_TTL_DAYS } from '../../services/preference-centre/create-member-link.ts';
import { apiOperation, ok, path, problem, programPath, ref } from './openapi-parts.ts';
import { component } from './openapi-segments.ts';

// The marketer's side of the preference centre in the OpenAPI document (routes/preference-centre.ts),
// from the same contracts the routes validate with. The member's own page is HTML, not API.

const program = programPath;
const quizPath = [program, path('quizId')];

function operation(id: string, summary: string, scope: 'read' | 'manage', extra: Record<string, unknown>) {
  const { responses, ...rest } = extra as { responses: Record<string, unknown> };
  return apiOperation(
    { id, summary, scope, tag: 'preference-centre' },
    { ...rest, responses: { ...responses, '404': problem('No such program (or quiz, or member)') } },
  );
}

/** The quiz body of a PUT: the definition, whose `id` may be left out because the path names it. */
function quizBody(): Record<string, unknown> {
  const json = component('QuizDefinition', QuizDefinition, 'input');
  const required = (json.required as string[] | undefined)?.filter((name) => name !== 'id');
  return { ...json, ...(required ? { required } : {}) };
}

/** Paths and component schemas of the preference centre's configuration, quizzes and member links. */
export function preferenceApi(): { paths: Record<string, unknown>; schemas: Record<string, unknown> } {
  const base = '/v1/programs/{programId}';
  const invalid = problem('Invalid body; details.problems lists each problem with its JSON path');
  const paths: Record<string, unknown> = {
    [`${base}/preference-centre`]: {
      get: operation(
        'show-preference-centre',
        'The preference page’s configuration (the default until set)',
        'read',
        {
          parameters: [program],
          responses: ok('The configuration', ref('PreferenceCentreConfig')),
        },
      ),
      put: operation('configure-preference-centre', 'Replace the preference page’s configuration', 'manage', {
        parameters: [program],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('PreferenceCentreConfigInput') } },
        },
        responses: { ...ok('The configuration as stored', ref('PreferenceCentreConfig')), '422': invalid },
      }),
    },
    [`${base}/quizzes`]: {
      get: operation('list-quizzes', 'The program’s quizzes, polls and challenges', 'read', {
        parameters: [
          program,
          {
            name: 'include',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['archived'] },
            description: '"archived" to list archived ones too',
          },
        ],
        responses: ok('The quizzes', {
          type: 'object',
          required: ['quizzes'],
          properties: { quizzes: { type: 'array', items: ref('Quiz') } },
        }),
      }),
    },
    [`${base}/quizzes/{quizId}`]: {
      get: operation(
        'show-quiz',
        'One quiz, poll or challenge, with the declared segments its answers lead to',
        'read',
        {
          parameters: quizPath,
          responses: ok('The quiz', ref('Quiz')),
        },
      ),
      put: operation('define-quiz', 'Create or replace a quiz, poll or challenge', 'manage', {
        description:
          'Each answer may name the declared segment it leads to ("Eco-Allies"); members who give it are placed in the built-in declared scheme in the same transaction as their answer. A change re-evaluates everyone at the next refresh.',
        parameters: quizPath,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('QuizDefinitionInput') } },
        },
        responses: {
          ...ok('Replaced', ref('Quiz')),
          ...ok('Created', ref('Quiz'), '201'),
          '422': invalid,
        },
      }),
      delete: operation(
        'archive-quiz',
        'Take a quiz off members’ pages (answers and awards stay)',
        'manage',
        {
          parameters: quizPath,
          responses: ok('The quiz, archived', ref('Quiz')),
        },
      ),
    },
    [`${base}/members/{memberId}/preference-link`]: {
      post: operation(
        'create-preference-link',
        'A signed, expiring link to a member’s preference page',
        'manage',
        {
          parameters: [
            program,
            path('memberId'),
            {
              name: 'ttlDays',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: MAX_LINK_TTL_DAYS },
              description: 'days the link stays valid (default: the configuration’s linkTtlDays)',
            },
          ],
          responses: {
            ...ok('The link', ref('MemberLink'), '201'),
            '400': problem(`ttlDays is outside 1-${MAX_LINK_TTL_DAYS}`),
            '422': problem('ttlDays is not a whole number'),
          },
        },
      ),
    },
  };
  const schemas: Record<string, unknown> = {
    PreferenceCentreConfig: component('PreferenceCentreConfig', PreferenceCentreConfig, 'output'),
    PreferenceCentreConfigInput: component('PreferenceCentreConfigInput', PreferenceCentreConfig, 'input'),
    Quiz: component('Quiz', Quiz, 'output'),
    QuizDefinitionInput: quizBody(),
    MemberLink: component('MemberLink', MemberLink as z.ZodType, 'output'),
  };
  return { paths, schemas };
}
