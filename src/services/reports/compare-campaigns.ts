import { AppError } from '../../contracts/errors.ts';
import type { AttributionRule, SegmentedVsBroadcastReport } from '../../contracts/measurement.ts';
import { DEFAULT_SETTINGS } from '../../domain/measurement/campaign-report.ts';
import { comparedCampaign, segmentedVsBroadcast } from '../../domain/measurement/segmented-vs-broadcast.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { campaignCellsFromDb } from './campaign-cells-from-db.ts';
import type { ReportSettings } from './report-campaign.ts';

/**
 * Segmented vs broadcast (docs/measurement.md): a segment-targeted campaign set against a broadcast
 * one — a campaign to everyone, or to a random audience of the same size — each side's variants
 * pooled against its own holdout. Each side is attributed with its own window; the settings echo the
 * targeted campaign's.
 */
export async function compareCampaigns(
  deps: Pick<Deps, 'db'>,
  {
    programId,
    targeted,
    broadcast,
    settings = {},
  }: { programId: string; targeted: string; broadcast: string; settings?: ReportSettings },
): Promise<SegmentedVsBroadcastReport> {
  if (targeted === broadcast) {
    throw new AppError('INVALID_INPUT', `compare two different campaigns; both sides are "${targeted}"`);
  }
  await requireProgram(deps.db, programId);
  const rule: AttributionRule = settings.attributionRule ?? DEFAULT_SETTINGS.attributionRule;
  const [t, b] = await Promise.all(
    [targeted, broadcast].map((campaign) =>
      campaignCellsFromDb(deps, { programId, campaign, rule, schemes: [] }),
    ),
  );
  if (!t || !b) throw new Error('two campaigns were read');
  return segmentedVsBroadcast(
    comparedCampaign(t.campaignId, t.label, t.cells),
    comparedCampaign(b.campaignId, b.label, b.cells),
    {
      ...settings,
      attributionRule: rule,
      windowSeconds: t.windowSeconds,
    },
  );
}
