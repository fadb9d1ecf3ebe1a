import type { CampaignView } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import { canMove } from '../../domain/campaigns/lifecycle.ts';
import type { Deps } from '../deps.ts';
import { campaignView, latestVersion } from './campaign-store.ts';

/** Cancels the latest version of a campaign; nothing more of it is sent (pending messages are withdrawn). A finished campaign cannot be cancelled. */
export async function cancelCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, name }: { programId: string; name: string },
): Promise<CampaignView> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (tx) => {
    const latest = await latestVersion(tx, programId, name, { forUpdate: true });
    if (!latest)
      throw new AppError('NOT_FOUND', `campaign "${name}" does not exist in program "${programId}"`);
    if (!canMove(latest.status, 'cancelled')) {
      throw new AppError(
        'INVALID_STATE',
        `campaign "${name}" version ${latest.version} is already ${latest.status}`,
      );
    }
    const row = await tx
      .updateTable('campaigns')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .where('program_id', '=', programId)
      .where('name', '=', name)
      .where('version', '=', latest.version)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Messages not yet handed to a channel are withdrawn with the campaign.
    await tx
      .updateTable('outbox')
      .set({ status: 'cancelled', locked_until: null })
      .where('program_id', '=', programId)
      .where('campaign', '=', name)
      .where('status', '=', 'pending')
      .execute();
    return campaignView(row);
  });
}
