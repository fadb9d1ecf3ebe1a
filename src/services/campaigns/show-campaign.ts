import type { CampaignView } from '../../contracts/campaigns.ts';
import type { Deps } from '../deps.ts';
import { campaignView, requireCampaign } from './campaign-store.ts';

/** One version of a campaign (the latest when none is named); NOT_FOUND names it. */
export async function showCampaign(
  deps: Pick<Deps, 'db'>,
  { programId, name, version }: { programId: string; name: string; version?: number | undefined },
): Promise<CampaignView> {
  return campaignView(await requireCampaign(deps.db, programId, name, version));
}
