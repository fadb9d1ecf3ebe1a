import type { Kysely } from 'kysely';
import type { PreferenceCentreConfig } from '../../contracts/preferences.ts';
import type { Channel } from '../../contracts/records.ts';
import type { Schema } from '../../db/schema.ts';
import {
  type ConsentFact,
  type DeclarationFact,
  trackedKeys,
} from '../../domain/preferences/member-preferences.ts';
import type { ResolvedQuiz } from '../../domain/preferences/quizzes.ts';
import { awardEventId, rewardItems } from '../../domain/preferences/reward-items.ts';
import {
  checkWithAny,
  type LinkCheck,
  type LinkClaims,
  unverifiedLinkProgram,
  verifyLink,
} from '../../domain/preferences/signed-tokens.ts';
import { programLinkKeys } from './link-secret.ts';
import { activeQuizzes, preferenceConfig } from './program-preferences.ts';

/** Everything about one member's page that a valid link opens. */
export interface MemberPageContext {
  /** The program's key that signs new forms now. */
  secret: Buffer;
  /** Every key a form may have been signed with: the signing key and those still in their grace period. */
  secrets: Buffer[];
  link: LinkClaims;
  /** `asOf`: the program's fixed as-of date, for a historical dataset. */
  program: { id: string; name: string; asOf: Date | null };
  config: PreferenceCentreConfig;
  quizzes: ResolvedQuiz[];
  /** The member's internal row id (never shown) and external id. */
  member: { rowId: number; id: string };
}

export type LinkOutcome =
  | { ok: true; context: MemberPageContext }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Opens a member link: checks its signature and expiry, then finds the program and member it names.
 * With `lock`, the member's row is locked for the rest of the transaction, so two submits for the
 * same member apply one after the other and the second sees what the first wrote.
 */
export async function openMemberLink(
  db: Kysely<Schema>,
  token: string,
  now: Date,
  options: { lock?: boolean } = {},
): Promise<LinkOutcome> {
  const named = unverifiedLinkProgram(token);
  if (named === null) return { ok: false, reason: 'invalid' };
  const keys = await programLinkKeys(db, named, now);
  const invalid: LinkCheck = { ok: false, reason: 'invalid' };
  const checked = checkWithAny(keys.accepted, (key) => verifyLink(key, token, now), invalid);
  if (!checked.ok) return checked;
  const { programId, memberId } = checked.claims;
  const program = await db
    .selectFrom('programs')
    .select(['id', 'name', 'as_of'])
    .where('id', '=', programId)
    .executeTakeFirst();
  let query = db
    .selectFrom('members')
    .select(['member_id', 'external_id'])
    .where('program_id', '=', programId)
    .where('external_id', '=', memberId);
  if (options.lock) query = query.forUpdate();
  const member = await query.executeTakeFirst();
  // A signed link to a program or member that is not there is as unusable as a forged one.
  if (!program || !member) return { ok: false, reason: 'invalid' };
  return {
    ok: true,
    context: {
      secret: keys.signing,
      secrets: keys.accepted,
      link: checked.claims,
      program: { id: program.id, name: program.name, asOf: program.as_of },
      config: await preferenceConfig(db, programId),
      quizzes: await activeQuizzes(db, programId),
      member: { rowId: member.member_id, id: member.external_id },
    },
  };
}

/** What the ledgers hold for the member: declarations of the tracked keys, consents, and the awards already paid. */
export interface MemberFacts {
  declarations: DeclarationFact[];
  consents: ConsentFact[];
  awarded: Set<string>;
}

export async function loadMemberFacts(db: Kysely<Schema>, context: MemberPageContext): Promise<MemberFacts> {
  const programId = context.program.id;
  const memberRowId = context.member.rowId;
  const answerKeys = context.quizzes.flatMap((quiz) => quiz.questions.map((q) => q.key));
  const declarations = await db
    .selectFrom('declarations')
    .select(['event_id', 'key', 'value', 'occurred_at'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberRowId)
    .where('key', 'in', trackedKeys(answerKeys))
    .execute();
  const consents = await db
    .selectFrom('consents')
    .select(['event_id', 'channel', 'purpose', 'status', 'occurred_at'])
    .where('program_id', '=', programId)
    .where('member_id', '=', memberRowId)
    .execute();
  const items = rewardItems(context.config, context.quizzes);
  const ids = new Map(items.map((item) => [awardEventId(context.member.id, item.item), item.item]));
  const awards =
    ids.size === 0
      ? []
      : await db
          .selectFrom('points')
          .select('event_id')
          .where('program_id', '=', programId)
          .where('event_id', 'in', [...ids.keys()])
          .execute();
  return {
    declarations: declarations.map((d) => ({
      id: d.event_id,
      key: d.key,
      value: d.value,
      occurredAt: d.occurred_at.toISOString(),
    })),
    consents: consents.map((c) => ({
      id: c.event_id,
      channel: c.channel as Channel,
      purpose: c.purpose,
      status: c.status,
      occurredAt: c.occurred_at.toISOString(),
    })),
    awarded: new Set(awards.map((a) => ids.get(a.event_id) as string)),
  };
}
