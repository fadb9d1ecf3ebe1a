import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createProgram } from '../create-program.ts';
import type { Deps } from '../deps.ts';
import { ingestBatch } from '../ingest-batch.ts';

// A small program for campaign tests: members ingested through the real path, memberships and
// features written as the segment engine would store them.

export interface TestMember {
  id: string;
  timezone?: string;
  email?: string | null;
  attributes?: Record<string, string>;
  segments?: string[];
  features?: Record<string, unknown>;
  consent?: ('email' | 'sms')[];
  unsubscribed?: ('email' | 'sms')[];
}

/** Creates a program with the given members; returns its id. */
export async function campaignTestProgram(deps: Deps, members: readonly TestMember[]): Promise<string> {
  const programId = `cmp-${randomUUID().slice(0, 12)}`;
  await createProgram(deps, { programId, currency: 'GBP' });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: members.map((m) => ({
      id: m.id,
      joinedAt: '2024-01-01',
      timezone: m.timezone ?? 'Asia/Tokyo',
      ...(m.email === null ? {} : { email: m.email ?? `${m.id.toLowerCase()}@example.com` }),
      phone: '+44 20 7946 0000',
      attributes: m.attributes ?? {},
    })),
  });
  const consents = members.flatMap((m) =>
    (m.consent ?? []).map((channel) => ({
      id: `c-${m.id}-${channel}`,
      memberId: m.id,
      occurredAt: '2024-02-01T00:00:00Z',
      channel,
      purpose: 'marketing',
      status: 'granted',
    })),
  );
  if (consents.length > 0) await ingestBatch(deps, { programId, kind: 'consents', records: consents });
  const unsubscribes = members.flatMap((m) =>
    (m.unsubscribed ?? []).map((channel) => ({
      id: `u-${m.id}-${channel}`,
      memberId: m.id,
      occurredAt: '2024-03-01T00:00:00Z',
      type: 'unsubscribed',
      channel,
    })),
  );
  if (unsubscribes.length > 0)
    await ingestBatch(deps, { programId, kind: 'message-events', records: unsubscribes });
  const ids = new Map(
    (
      await deps.db
        .selectFrom('members')
        .select(['member_id', 'external_id'])
        .where('program_id', '=', programId)
        .execute()
    ).map((r) => [r.external_id, r.member_id]),
  );
  const memberships = members.flatMap((m) =>
    (m.segments ?? ['loyalty/points_savers']).map((ref) => {
      const [scheme = '', segment = ''] = ref.split('/');
      return {
        program_id: programId,
        member_id: ids.get(m.id) as number,
        scheme,
        segment,
        since: new Date('2024-05-30T12:00:00Z'),
        explanation: 'test',
      };
    }),
  );
  if (memberships.length > 0) {
    await deps.db
      .insertInto('segment_memberships')
      .values(memberships)
      .onConflict((oc) => oc.columns(['program_id', 'member_id', 'scheme', 'segment']).doNothing())
      .execute();
  }
  const features = members.filter((m) => m.features !== undefined);
  if (features.length > 0) {
    await deps.db
      .insertInto('member_features')
      .values(
        features.map((m) => ({
          program_id: programId,
          member_id: ids.get(m.id) as number,
          aggregates: {},
          features: m.features as Record<string, unknown>,
          as_of: new Date('2024-06-01T00:00:00Z'),
        })),
      )
      // Ingest has already stored computed features: the test's values are laid over them.
      .onConflict((oc) =>
        oc
          .columns(['program_id', 'member_id'])
          .doUpdateSet({ features: sql`member_features.features || excluded.features` }),
      )
      .execute();
  }
  return programId;
}

/** The internal id of a member. */
export async function internalId(deps: Deps, programId: string, memberId: string): Promise<number> {
  const row = await deps.db
    .selectFrom('members')
    .select('member_id')
    .where('program_id', '=', programId)
    .where('external_id', '=', memberId)
    .executeTakeFirstOrThrow();
  return row.member_id;
}
