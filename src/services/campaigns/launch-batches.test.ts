import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { configureChannel } from '../delivery/configure-channel.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram, internalId, type TestMember } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { launchCampaign } from './launch-campaign.ts';
import { previewCampaign } from './preview-campaign.ts';

// A launch decides and writes its audience in batches. These tests hold it to two promises:
// batching changes nothing (every stored decision is the one the member gets decided alone), and
// a launch that stops part way and is run again ends with exactly one decision and one outbox row
// per member, as if it had run once.

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const definition = (holdout: number) => ({
  name: 'batched',
  goal: 'redeem',
  audience: { segments: ['loyalty/points_savers'] },
  offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
  channels: ['email', 'sms'],
  holdout,
  variants: [
    {
      name: 'a',
      messages: {
        email: {
          subject: 'Hi {{ member.first_name }}',
          body: '{{ points.balance }} points, {{ offer.code }}',
        },
        sms: { body: '{% if points.balance %}{{ points.balance }} pts{% else %}Hello{% endif %}' },
      },
    },
    {
      name: 'b',
      weight: 2,
      messages: {
        email: { subject: 'Points', body: '{{ points.to_next_reward | default: "a few" }} to go' },
        sms: { body: 'Use {{ offer.code }}' },
      },
    },
  ],
});

const ZONES = ['Asia/Tokyo', 'Europe/London', 'America/New_York', 'America/Los_Angeles'];
const member = (index: number) =>
  fc
    .record({
      consent: fc.subarray(['email', 'sms'] as ('email' | 'sms')[]),
      unsubscribed: fc.subarray(['email'] as 'email'[]),
      timezone: fc.constantFrom(...ZONES),
      noEmail: fc.boolean(),
      balance: fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
      name: fc.option(fc.constantFrom('Ada', 'Grace', ''), { nil: undefined }),
      busy: fc.boolean(),
      // Outside the audience: pages of member ids then hold fewer audience members than ids.
      outside: fc.boolean(),
    })
    .map((m): TestMember & { busy: boolean; outside: boolean } => ({
      id: `M${index}`,
      consent: m.consent,
      unsubscribed: m.unsubscribed,
      timezone: m.timezone,
      ...(m.noEmail ? { email: null } : {}),
      ...(m.name === undefined ? {} : { attributes: { first_name: m.name } }),
      ...(m.balance === undefined ? {} : { features: { points_balance: m.balance } }),
      busy: m.busy,
      outside: m.outside,
      ...(m.outside ? { segments: ['loyalty/vips'] } : {}),
    }));
const cast = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => member(i + 1))));

async function approvedProgram(
  members: readonly (TestMember & { busy?: boolean })[],
  holdout: number,
  smsEndpoint = true,
) {
  const programId = await campaignTestProgram(deps, members);
  // Without an SMS endpoint the launch passes SMS over, as for a member without SMS consent.
  if (smsEndpoint) {
    await configureChannel(deps, { programId, channel: 'sms', input: { url: 'https://sms.example/hook' } });
  }
  // A busy member already had three emails this week from another campaign (the default cap).
  for (const m of members.filter((m) => m.busy)) {
    const id = await internalId(deps, programId, m.id);
    await deps.db
      .insertInto('outbox')
      .values(
        [1, 2, 3].map((day) => ({
          program_id: programId,
          campaign: 'other',
          step: `s${day}`,
          member_id: id,
          version: 1,
          variant: 'a',
          channel: 'email',
          purpose: 'marketing',
          idempotency_key: `${programId}-${m.id}-other-${day}`,
          recipient: 'x@example.com',
          body: 'x',
          send_at: new Date(Date.UTC(2024, 4, 28 + day)),
          status: 'sent' as const,
          next_attempt_at: new Date(Date.UTC(2024, 4, 28 + day)),
        })),
      )
      .execute();
  }
  await createCampaign(deps, { programId, source: { value: definition(holdout) } });
  await approveCampaign(deps, { programId, name: 'batched', approvedBy: 'test' });
  return programId;
}

async function stored(programId: string) {
  const { rows } = await sql<{
    id: string;
    outcome: string;
    excluded_by: string | null;
    variant: string | null;
    channel: string | null;
    send_at: Date | null;
    rules: unknown;
    recipient: string | null;
    subject: string | null;
    body: string | null;
  }>`SELECT m.external_id AS id, d.outcome, d.excluded_by, d.variant, d.channel, d.send_at, t.rules,
      o.recipient, o.subject, o.body
    FROM campaign_decisions d
    JOIN decision_trails t ON t.program_id = d.program_id AND t.id = d.trail_id
    JOIN members m ON m.program_id = d.program_id AND m.member_id = d.member_id
    LEFT JOIN outbox o ON o.program_id = d.program_id AND o.campaign = d.campaign AND o.step = d.step
      AND o.member_id = d.member_id
    WHERE d.program_id = ${programId} AND d.campaign = 'batched'
    ORDER BY m.external_id`.execute(deps.db);
  return rows;
}

/** Each stored decision and message is what a preview of that member alone decides and renders. */
async function expectDecidedAlone(programId: string, rows: Awaited<ReturnType<typeof stored>>) {
  for (const row of rows) {
    const alone = await previewCampaign(deps, { programId, name: 'batched', members: [row.id] });
    const [decision] = alone.samples;
    expect(decision).toBeDefined();
    expect({
      outcome: row.outcome,
      excludedBy: row.excluded_by,
      variant: row.variant,
      channel: row.channel,
      sendAt: row.send_at?.toISOString() ?? null,
      rules: row.rules,
      message: row.body === null ? null : { recipient: row.recipient, body: row.body, subject: row.subject },
    }).toEqual({
      outcome: decision?.outcome,
      excludedBy: decision?.excludedBy,
      variant: decision?.variant,
      channel: decision?.channel,
      sendAt: decision?.sendAt,
      rules: decision?.rules,
      message:
        decision?.message === null || decision?.message === undefined
          ? null
          : { subject: null, ...decision.message },
    });
  }
}

describe('a launch in batches', () => {
  it('stores for every member the decision and message the member gets when decided alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        cast,
        fc.constantFrom(0, 0.3),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (members, holdout, batchSize, smsEndpoint) => {
          const programId = await approvedProgram(members, holdout, smsEndpoint);
          const result = await launchCampaign(deps, { programId, name: 'batched', batchSize });
          const rows = await stored(programId);
          const audience = members.filter((m) => !m.outside).map((m) => m.id);
          expect(rows.map((r) => r.id).sort()).toEqual(audience.sort());
          expect(result.audience).toBe(audience.length);
          await expectDecidedAlone(programId, rows);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('reads every audience member when pages widen over a sparse stretch and then meet a dense one', async () => {
    // Pages of 2: the first two ids hold one audience member, so the next page spans four ids,
    // which hold four audience members; the page stops at its second and the next starts after it.
    const members: TestMember[] = Array.from({ length: 12 }, (_, i) => ({
      id: `M${String(i + 1).padStart(2, '0')}`,
      consent: ['email'],
      ...(i === 0 ? { segments: ['loyalty/vips'] } : {}),
    }));
    const programId = await approvedProgram(members, 0);
    const result = await launchCampaign(deps, { programId, name: 'batched', batchSize: 2 });
    expect(result.audience).toBe(11);
    expect((await stored(programId)).map((r) => r.id)).toEqual(members.slice(1).map((m) => m.id));
  });

  it('resumes a launch that stopped part way: exactly one decision and message per member', async () => {
    const members: TestMember[] = Array.from({ length: 12 }, (_, i) => ({
      id: `M${String(i + 1).padStart(2, '0')}`,
      consent: ['email'],
      features: { points_balance: 100 * i },
    }));
    const programId = await approvedProgram(members, 0.25);
    // The write of the batch holding M08 fails in the database, as a crash between batches would
    // leave it: the batches before it are committed, nothing of it or after it is.
    const failing = await internalId(deps, programId, 'M08');
    const fn = `fail_${programId.replaceAll('-', '_')}`;
    await sql
      .raw(
        `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.program_id = '${programId}' AND NEW.member_id = ${failing} THEN
            RAISE EXCEPTION 'simulated crash';
          END IF;
          RETURN NEW;
        END $$`,
      )
      .execute(deps.db);
    await sql
      .raw(`CREATE TRIGGER ${fn} BEFORE INSERT ON campaign_decisions FOR EACH ROW EXECUTE FUNCTION ${fn}()`)
      .execute(deps.db);
    try {
      await expect(launchCampaign(deps, { programId, name: 'batched', batchSize: 3 })).rejects.toThrow(
        /simulated crash/,
      );
    } finally {
      await sql.raw(`DROP TRIGGER ${fn} ON campaign_decisions`).execute(deps.db);
      await sql.raw(`DROP FUNCTION ${fn}()`).execute(deps.db);
    }
    const partial = await stored(programId);
    expect(partial.map((r) => r.id)).toEqual(['M01', 'M02', 'M03', 'M04', 'M05', 'M06']);

    const resumed = await launchCampaign(deps, { programId, name: 'batched', batchSize: 3 });
    const again = await launchCampaign(deps, { programId, name: 'batched', batchSize: 5 });
    expect(again.queued).toBe(0);
    const rows = await stored(programId);
    expect(rows.map((r) => r.id)).toEqual(members.map((m) => m.id));
    const { rows: outbox } = await sql<{ member_id: number; n: string }>`
      SELECT member_id, count(*) AS n FROM outbox WHERE program_id = ${programId} AND campaign = 'batched'
      GROUP BY member_id`.execute(deps.db);
    expect(outbox.every((o) => Number(o.n) === 1)).toBe(true);
    expect(outbox).toHaveLength(rows.filter((r) => r.outcome === 'send' || r.outcome === 'deferred').length);
    expect(partial.filter((r) => r.body !== null).length + resumed.queued).toBe(outbox.length);

    await expectDecidedAlone(programId, rows);
  });
});
