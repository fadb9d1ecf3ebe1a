import type { AttributionRule, CampaignReport, MeasurementSettings } from '../../contracts/measurement.ts';
import { campaignReport, DEFAULT_SETTINGS } from '../../domain/measurement/campaign-report.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { campaignCellsFromDb, programSchemeNames } from './campaign-cells-from-db.ts';

/** Thresholds a caller may change; the window is the campaign's own (its definition's `measurement`). */
export type ReportSettings = Partial<Omit<MeasurementSettings, 'windowSeconds'>>;

/**
 * The campaign report (docs/measurement.md): per scheme x segment at assignment x arm, what was sent
 * and what it earned, and each variant's lift over the holdout with intervals and p-values.
 * `schemes` narrows the breakdown (default: every scheme of the program).
 */
export async function reportCampaign(
  deps: Pick<Deps, 'db'>,
  {
    programId,
    campaign,
    schemes,
    settings = {},
  }: {
    programId: string;
    campaign: string;
    schemes?: readonly string[] | undefined;
    settings?: ReportSettings;
  },
): Promise<CampaignReport> {
  const program = await requireProgram(deps.db, programId);
  const rule: AttributionRule = settings.attributionRule ?? DEFAULT_SETTINGS.attributionRule;
  const measured = await campaignCellsFromDb(deps, {
    programId,
    campaign,
    rule,
    schemes: schemes ?? (await programSchemeNames(deps, programId)),
  });
  return campaignReport(
    { ...measured, currency: program.currency },
    { ...settings, attributionRule: rule, windowSeconds: measured.windowSeconds },
  );
}
