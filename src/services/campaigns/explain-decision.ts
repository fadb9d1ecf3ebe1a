import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';

/** Why a member was or was not sent a campaign's message, step by step. */
export interface DecisionExplanation {
  campaign: string;
  memberId: string;
  decisions: {
    step: string;
    version: number;
    outcome: string;
    arm: string;
    variant: string | null;
    excludedBy: string | null;
    channel: string | null;
    sendAt: string | null;
    decidedAt: string;
    rules: { rule: string; outcome: string; detail: string }[];
    delivery: { status: string; attempts: number; sentAt: string | null; lastError: string | null } | null;
  }[];
}

/** The recorded decisions for one member of a launched campaign, with what became of each message. */
export async function explainDecision(
  deps: Pick<Deps, 'db'>,
  { programId, name, memberId }: { programId: string; name: string; memberId: string },
): Promise<DecisionExplanation> {
  const member = await deps.db
    .selectFrom('members')
    .select('member_id')
    .where('program_id', '=', programId)
    .where('external_id', '=', memberId)
    .executeTakeFirst();
  if (!member)
    throw new AppError('NOT_FOUND', `member "${memberId}" does not exist in program "${programId}"`);
  const rows = await deps.db
    .selectFrom('campaign_decisions as d')
    .leftJoin('outbox as o', (join) =>
      join
        .onRef('o.program_id', '=', 'd.program_id')
        .onRef('o.campaign', '=', 'd.campaign')
        .onRef('o.step', '=', 'd.step')
        .onRef('o.member_id', '=', 'd.member_id'),
    )
    .innerJoin('decision_trails as t', (join) =>
      join.onRef('t.program_id', '=', 'd.program_id').onRef('t.id', '=', 'd.trail_id'),
    )
    .select([
      'd.step',
      'd.version',
      'd.outcome',
      'd.arm',
      'd.variant',
      'd.excluded_by',
      'd.channel',
      'd.send_at',
      'd.decided_at',
      't.rules',
      'o.status',
      'o.attempts',
      'o.sent_at',
      'o.last_error',
    ])
    .where('d.program_id', '=', programId)
    .where('d.campaign', '=', name)
    .where('d.member_id', '=', member.member_id)
    .orderBy('d.decided_at')
    .execute();
  if (rows.length === 0) {
    const exists = await deps.db
      .selectFrom('campaigns')
      .select('version')
      .where('program_id', '=', programId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!exists)
      throw new AppError('NOT_FOUND', `campaign "${name}" does not exist in program "${programId}"`);
  }
  return {
    campaign: name,
    memberId,
    decisions: rows.map((r) => ({
      step: r.step,
      version: r.version,
      outcome: r.outcome,
      arm: r.arm,
      variant: r.variant,
      excludedBy: r.excluded_by,
      channel: r.channel,
      sendAt: r.send_at?.toISOString() ?? null,
      decidedAt: r.decided_at.toISOString(),
      rules: r.rules as DecisionExplanation['decisions'][number]['rules'],
      delivery:
        r.status === null
          ? null
          : {
              status: r.status,
              attempts: r.attempts ?? 0,
              sentAt: r.sent_at?.toISOString() ?? null,
              lastError: r.last_error,
            },
    })),
  };
}
