import type { CampaignDefinition } from '../../contracts/campaigns.ts';
import { nextOccurrence } from '../../domain/campaigns/send-time.ts';
import type { Deps } from '../deps.ts';
import { readGovernancePolicy } from './campaign-store.ts';
import { launchCampaign } from './launch-campaign.ts';

/** A recurring campaign is decided this long before each occurrence, so consent is read close to the send. */
export const RECURRING_LOOKAHEAD_HOURS = 24;

/** What one scheduling tick did, by campaign id (name@version). */
export interface AdvanceResult {
  launched: string[];
  completed: string[];
}

/**
 * One tick of the campaign scheduler, for running campaigns: a triggered campaign is launched again
 * (greeting members who entered since), a recurring one when its next occurrence is near (and
 * completed when its calendar has ended), and a one-off one is completed once none of its messages
 * wait. Launching is idempotent, so a tick can run as often as wanted.
 */
export async function advanceCampaigns(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  { programId }: { programId?: string | undefined } = {},
): Promise<AdvanceResult> {
  const now = deps.clock();
  let query = deps.db
    .selectFrom('campaigns')
    .select(['program_id', 'name', 'version', 'definition'])
    .where('status', '=', 'running');
  if (programId !== undefined) query = query.where('program_id', '=', programId);
  const running = await query.execute();
  const result: AdvanceResult = { launched: [], completed: [] };
  for (const row of running) {
    const id = `${row.name}@${row.version}`;
    const schedule = (row.definition as CampaignDefinition).schedule;
    if (schedule.kind === 'on_entry') {
      await launchCampaign(deps, { programId: row.program_id, name: row.name });
      result.launched.push(id);
      continue;
    }
    if (schedule.kind === 'recurring') {
      const policy = await readGovernancePolicy(deps.db, row.program_id);
      const next = nextOccurrence(schedule, policy.defaultTimezone, now);
      if (next === null) {
        if (await complete(deps, row, now)) result.completed.push(id);
      } else if (next.getTime() - now.getTime() <= RECURRING_LOOKAHEAD_HOURS * 3_600_000) {
        await launchCampaign(deps, { programId: row.program_id, name: row.name });
        result.launched.push(id);
      }
      continue;
    }
    if (await complete(deps, row, now)) result.completed.push(id);
  }
  if (result.launched.length + result.completed.length > 0)
    deps.log.info('campaign schedule tick', { ...result });
  return result;
}

/** Marks a running campaign completed when none of its messages still waits; says whether it did. */
async function complete(
  deps: Pick<Deps, 'db'>,
  row: { program_id: string; name: string; version: number },
  now: Date,
): Promise<boolean> {
  const waiting = await deps.db
    .selectFrom('outbox')
    .select('id')
    .where('program_id', '=', row.program_id)
    .where('campaign', '=', row.name)
    .where('status', 'in', ['pending', 'sending'])
    .limit(1)
    .executeTakeFirst();
  if (waiting) return false;
  const done = await deps.db
    .updateTable('campaigns')
    .set({ status: 'completed', completed_at: now, updated_at: now })
    .where('program_id', '=', row.program_id)
    .where('name', '=', row.name)
    .where('version', '=', row.version)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}
