import { randomBytes } from 'node:crypto';
import { type CreatedWebhook, CreateWebhookInput } from '../../contracts/segments.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { parseBody } from '../segment-definitions/definition-input.ts';

/**
 * Registers a webhook for segment entered/left events. The returned `secret` signs every delivery;
 * it is shown this once and kept in the database in clear, because signing needs the secret itself
 * (a hash, as for API keys, cannot produce an HMAC): see ADR 0021.
 */
export async function createWebhook(
  deps: Pick<Deps, 'db'>,
  { programId, input }: { programId: string; input: unknown },
): Promise<CreatedWebhook> {
  const body = parseBody(CreateWebhookInput, input, 'the webhook');
  await requireProgram(deps.db, programId);
  const id = `wh_${randomBytes(9).toString('base64url')}`;
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const events = [...new Set(body.events)];
  const row = await deps.db
    .insertInto('webhooks')
    .values({ id, program_id: programId, url: body.url, secret, events })
    .returning(['created_at'])
    .executeTakeFirstOrThrow();
  return {
    id,
    programId,
    url: body.url,
    events,
    createdAt: row.created_at.toISOString(),
    disabledAt: null,
    pending: 0,
    delivered: 0,
    failed: 0,
    secret,
  };
}
