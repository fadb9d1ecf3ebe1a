import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';

/**
 * Stops a webhook: no new deliveries are queued for it and queued ones are no longer sent (they
 * stay recorded). Disabling twice is harmless and keeps the first time.
 */
export async function disableWebhook(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, webhookId }: { programId: string; webhookId: string },
): Promise<{ id: string; disabledAt: string }> {
  const row = await deps.db
    .updateTable('webhooks')
    .set((eb) => ({ disabled_at: eb.fn.coalesce('disabled_at', eb.val(deps.clock())) }))
    .where('program_id', '=', programId)
    .where('id', '=', webhookId)
    .returning(['disabled_at'])
    .executeTakeFirst();
  if (!row?.disabled_at)
    throw new AppError('NOT_FOUND', `program "${programId}" has no webhook "${webhookId}"`);
  return { id: webhookId, disabledAt: row.disabled_at.toISOString() };
}
