import type { CampaignReport, MeasurementSettings } from '../../contracts/measurement.ts';
import { DEFAULT_WINDOW_SECONDS } from './attribution.ts';
import { tallyCells } from './campaign-cells.ts';
import { campaignReport, DEFAULT_SETTINGS } from './campaign-report.ts';
import { type AttributionInput, campaignOutcomes } from './member-outcomes.ts';
import { toUnits } from './money.ts';

export interface MeasureCampaignInput extends AttributionInput {
  /** The campaign reported on; `campaigns` also holds the ones it competes with for purchases. */
  campaignId: string;
  currency: string | null;
  arms: readonly { arm: string; holdout: boolean }[];
  schemes: readonly string[];
}

/**
 * Attribution, cell sums and the report in one pass over events held in memory: the reference path,
 * used by tests and the simulation. The report's window is the campaign's own.
 */
export function measureCampaign(
  input: MeasureCampaignInput,
  settings: Partial<Omit<MeasurementSettings, 'windowSeconds'>> = {},
): CampaignReport {
  const campaign = input.campaigns.find((c) => c.campaignId === input.campaignId);
  if (!campaign) throw new RangeError(`campaign ${input.campaignId} is not among the campaigns given`);
  const rule = settings.attributionRule ?? DEFAULT_SETTINGS.attributionRule;
  const outcomes = campaignOutcomes(input, rule).get(input.campaignId) ?? [];
  const offerCost = campaign.offer ? toUnits(campaign.offer.unitCost) : 0n;
  return campaignReport(
    {
      campaignId: input.campaignId,
      currency: input.currency,
      arms: input.arms,
      schemes: input.schemes,
      cells: tallyCells(outcomes, input.schemes, offerCost),
    },
    { ...settings, attributionRule: rule, windowSeconds: campaign.windowSeconds ?? DEFAULT_WINDOW_SECONDS },
  );
}
