import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError } from '../../../test/fixtures/http.ts';
import { TEST_NOW, testDeps } from '../../../test/fixtures/programs.ts';
import { createFeedbackSecret } from '../../services/delivery/create-feedback-secret.ts';
import { launchDeliveryCampaign } from '../../services/delivery/delivery-test-campaign.ts';
import { signatureHeader } from '../../services/webhooks/webhook-signature.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);
const unix = TEST_NOW.getTime() / 1000;

const members = ['M1', 'M2', 'M3'].map((id) => ({ id, consent: ['email' as const] }));

async function program() {
  const programId = await launchDeliveryCampaign(deps, { channel: 'email', members });
  const { secret } = await createFeedbackSecret(deps, { programId });
  const rows = await deps.db
    .selectFrom('outbox as o')
    .innerJoin('members as m', (j) =>
      j.onRef('m.program_id', '=', 'o.program_id').onRef('m.member_id', '=', 'o.member_id'),
    )
    .select(['m.external_id', 'o.idempotency_key'])
    .where('o.program_id', '=', programId)
    .execute();
  const messageOf = Object.fromEntries(rows.map((r) => [r.external_id, r.idempotency_key]));
  return { programId, secret, messageOf };
}

function post(programId: string, body: unknown, signature: string | undefined) {
  const text = JSON.stringify(body);
  return app.request(`/hooks/delivery-feedback/${programId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'narrowcast-signature': signature } : {}),
    },
    body: text,
  });
}
const signed = (secret: string, body: unknown) => signatureHeader(secret, JSON.stringify(body), unix);

const byTypeAndMessage = (a: { type: string; message_id?: string | null | undefined }, b: typeof a) =>
  `${a.type} ${a.message_id}` < `${b.type} ${b.message_id}` ? -1 : 1;

const recorded = async (programId: string) => ({
  events: (
    await deps.db
      .selectFrom('message_events')
      .select(['type', 'message_id'])
      .where('program_id', '=', programId)
      .where('type', '!=', 'sent')
      .execute()
  ).sort(byTypeAndMessage),
  suppressions: await deps.db
    .selectFrom('suppressions')
    .select(['list', 'subject'])
    .where('program_id', '=', programId)
    .orderBy('list')
    .execute(),
  consents: await deps.db
    .selectFrom('consents')
    .select(['channel', 'status', 'source'])
    .where('program_id', '=', programId)
    .where('status', '=', 'revoked')
    .execute(),
});

describe('POST /hooks/delivery-feedback/{programId}', () => {
  it('records bounces and complaints, suppresses hard bounces and complainers, and a later campaign skips them', async () => {
    const { programId, secret, messageOf } = await program();
    const body = {
      events: [
        {
          id: 'r1',
          type: 'bounced',
          bounce: 'hard',
          messageId: messageOf.M1,
          occurredAt: '2024-06-01T00:00:00Z',
        },
        { id: 'r2', type: 'complained', messageId: messageOf.M2, occurredAt: '2024-06-01T00:00:00Z' },
        {
          id: 'r3',
          type: 'bounced',
          bounce: 'soft',
          messageId: messageOf.M3,
          occurredAt: '2024-06-01T00:00:00Z',
        },
      ],
    };
    const response = await post(programId, body, signed(secret, body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recorded: 3, duplicates: 0, suppressed: 2, consentsRevoked: 1 });
    expect(await recorded(programId)).toEqual({
      events: [
        { type: 'bounced', message_id: messageOf.M1 },
        { type: 'bounced', message_id: messageOf.M3 },
        { type: 'complained', message_id: messageOf.M2 },
      ].sort(byTypeAndMessage),
      suppressions: [
        { list: 'complaint', subject: 'm2@example.com' },
        { list: 'hard-bounce', subject: 'm1@example.com' },
      ],
      consents: [{ channel: 'email', status: 'revoked', source: 'complaint' }],
    });
    // The same reports again change nothing.
    const again = await post(programId, body, signed(secret, body));
    expect(await again.json()).toEqual({ recorded: 0, duplicates: 3, suppressed: 0, consentsRevoked: 0 });

    await launchDeliveryCampaign(deps, { channel: 'email', programId, name: 'follow-up' });
    const decisions = await deps.db
      .selectFrom('campaign_decisions as d')
      .innerJoin('members as m', (j) =>
        j.onRef('m.program_id', '=', 'd.program_id').onRef('m.member_id', '=', 'd.member_id'),
      )
      .innerJoin('decision_trails as t', (j) =>
        j.onRef('t.program_id', '=', 'd.program_id').onRef('t.id', '=', 'd.trail_id'),
      )
      .select(['m.external_id', 'd.outcome', 'd.excluded_by', 't.rules'])
      .where('d.program_id', '=', programId)
      .where('d.campaign', '=', 'follow-up')
      .orderBy('m.external_id')
      .execute();
    expect(decisions.map((d) => [d.external_id, d.outcome, d.excluded_by])).toEqual([
      ['M1', 'excluded', 'suppression'],
      ['M2', 'excluded', 'suppression'],
      ['M3', 'send', null],
    ]);
    expect(JSON.stringify(decisions[0]?.rules)).toContain('on suppression list \\"hard-bounce\\"');
    expect(JSON.stringify(decisions[1]?.rules)).toContain('on suppression list \\"complaint\\"');
  });

  it('refuses a batch naming a message the program does not have, recording nothing', async () => {
    const { programId, secret, messageOf } = await program();
    const other = await program();
    const body = {
      events: [
        { id: 'r1', type: 'complained', messageId: messageOf.M1, occurredAt: '2024-06-01T00:00:00Z' },
        { id: 'r2', type: 'complained', messageId: other.messageOf.M1, occurredAt: '2024-06-01T00:00:00Z' },
      ],
    };
    const error = await expectError(await post(programId, body, signed(secret, body)), 422, 'INVALID_INPUT');
    expect(error.error.message).toContain('events[1]');
    expect(await recorded(programId)).toEqual({ events: [], suppressions: [], consents: [] });
    expect(await recorded(other.programId)).toEqual({ events: [], suppressions: [], consents: [] });
  });

  it('answers 401 to a missing, wrong, stale or another program’s signature, recording nothing', async () => {
    const { programId, secret, messageOf } = await program();
    const other = await program();
    const body = {
      events: [{ id: 'r1', type: 'complained', messageId: messageOf.M1, occurredAt: '2024-06-01T00:00:00Z' }],
    };
    await expectError(await post(programId, body, undefined), 401, 'UNAUTHENTICATED');
    await expectError(await post(programId, body, signed(other.secret, body)), 401, 'UNAUTHENTICATED');
    await expectError(await post(programId, body, `t=${unix},v1=${'0'.repeat(64)}`), 401, 'UNAUTHENTICATED');
    await expectError(
      await post(programId, body, signatureHeader(secret, JSON.stringify(body), unix - 3600)),
      401,
      'UNAUTHENTICATED',
    );
    // A signature over another body does not carry over.
    await expectError(await post(programId, body, signed(secret, { events: [] })), 401, 'UNAUTHENTICATED');
    // A program that never made a feedback secret accepts nothing.
    const bare = await launchDeliveryCampaign(deps, { channel: 'email' });
    await expectError(await post(bare, body, signed(secret, body)), 401, 'UNAUTHENTICATED');
    expect(await recorded(programId)).toEqual({ events: [], suppressions: [], consents: [] });
  });
});
