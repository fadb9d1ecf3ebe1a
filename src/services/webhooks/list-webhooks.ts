import type { WebhookEventType, WebhookView } from '../../contracts/segments.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { DEFAULT_DELIVERY_POLICY } from './retry-policy.ts';

/** The program's webhooks, newest first, with delivery counts; never their secrets. */
export async function listWebhooks(
  deps: Pick<Deps, 'db'>,
  {
    programId,
    maxAttempts = DEFAULT_DELIVERY_POLICY.maxAttempts,
  }: { programId: string; maxAttempts?: number },
): Promise<WebhookView[]> {
  await requireProgram(deps.db, programId);
  const rows = await deps.db
    .selectFrom('webhooks as w')
    .leftJoin('webhook_deliveries as d', (join) =>
      join.onRef('d.webhook_id', '=', 'w.id').onRef('d.program_id', '=', 'w.program_id'),
    )
    .select((eb) => [
      'w.id',
      'w.url',
      'w.events',
      'w.created_at',
      'w.disabled_at',
      eb.fn.count<string>('d.delivered_at').as('delivered'),
      eb.fn
        .countAll<string>()
        .filterWhere((f) =>
          f.and([
            f('d.id', 'is not', null),
            f('d.delivered_at', 'is', null),
            f('d.attempts', '<', maxAttempts),
          ]),
        )
        .as('pending'),
      eb.fn
        .countAll<string>()
        .filterWhere((f) => f.and([f('d.delivered_at', 'is', null), f('d.attempts', '>=', maxAttempts)]))
        .as('failed'),
    ])
    .where('w.program_id', '=', programId)
    .groupBy(['w.id', 'w.url', 'w.events', 'w.created_at', 'w.disabled_at'])
    .orderBy('w.created_at', 'desc')
    .orderBy('w.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    programId,
    url: r.url,
    events: r.events as WebhookEventType[],
    createdAt: r.created_at.toISOString(),
    disabledAt: r.disabled_at?.toISOString() ?? null,
    pending: Number(r.pending),
    delivered: Number(r.delivered),
    failed: Number(r.failed),
  }));
}
