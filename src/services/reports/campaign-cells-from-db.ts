import { CampaignDefinition } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import type { AttributionRule } from '../../contracts/measurement.ts';
import { campaignCellSums } from '../../db/queries/campaign-cell-sums.ts';
import { BUILT_IN_SCHEME_NAMES, loadCustomSegments } from '../../db/queries/program-schemes.ts';
import { DEFAULT_WINDOW_SECONDS } from '../../domain/measurement/attribution.ts';
import type { Cell } from '../../domain/measurement/campaign-cells.ts';
import { toUnits } from '../../domain/measurement/money.ts';
import { latestVersion } from '../campaigns/campaign-store.ts';
import type { Deps } from '../deps.ts';

// What the campaign report and the segmented-vs-broadcast comparison both need from storage: the
// campaign's latest definition, its arms, and the cell sums of its assigned members.

/** The label of the control arm in reports. */
export const HOLDOUT_ARM = 'holdout';

export interface MeasuredCampaignCells {
  campaignId: string;
  label: string;
  windowSeconds: number;
  arms: { arm: string; holdout: boolean }[];
  schemes: string[];
  cells: Cell[];
}

/** The built-in schemes, then the program's own, by name. */
export async function programSchemeNames(deps: Pick<Deps, 'db'>, programId: string): Promise<string[]> {
  const custom = (await loadCustomSegments(deps.db, programId)).map((s) => s.scheme);
  const builtIn: readonly string[] = BUILT_IN_SCHEME_NAMES;
  return [...builtIn, ...[...new Set(custom)].filter((s) => !builtIn.includes(s)).sort()];
}

/** Reads and sums one campaign's results; NOT_FOUND when the program has no such campaign. */
export async function campaignCellsFromDb(
  deps: Pick<Deps, 'db'>,
  options: { programId: string; campaign: string; rule: AttributionRule; schemes: readonly string[] },
): Promise<MeasuredCampaignCells> {
  const { programId, campaign } = options;
  const row = await latestVersion(deps.db, programId, campaign);
  if (!row)
    throw new AppError('NOT_FOUND', `campaign "${campaign}" does not exist in program "${programId}"`);
  const parsed = CampaignDefinition.safeParse(row.definition);
  if (!parsed.success) {
    throw new AppError(
      'INVALID_STATE',
      `campaign "${campaign}" version ${row.version} has an unreadable definition`,
    );
  }
  const definition = parsed.data;
  if (definition.variants.some((v) => v.name === HOLDOUT_ARM)) {
    throw new AppError(
      'INVALID_STATE',
      `campaign "${campaign}" has a variant named "${HOLDOUT_ARM}", which reports reserve for the control group`,
    );
  }
  const windowSeconds =
    definition.measurement?.windowDays !== undefined
      ? definition.measurement.windowDays * 86_400
      : DEFAULT_WINDOW_SECONDS;
  const messageCostUnits = Object.fromEntries(
    Object.entries(definition.measurement?.messageCost ?? {}).map(([channel, cost]) => [
      channel,
      toUnits(cost).toString(),
    ]),
  );
  const offerUnits = toUnits(definition.offer.unitCost);
  const rows = await campaignCellSums(deps.db, {
    programId,
    campaign,
    windowSeconds,
    defaultWindowSeconds: DEFAULT_WINDOW_SECONDS,
    rule: options.rule,
    schemes: options.schemes,
    messageCostUnits,
    offerCode: definition.offer.code ?? null,
  });

  const arms = definition.variants.map((v) => ({ arm: v.name, holdout: false }));
  if (definition.holdout > 0 || rows.some((r) => r.holdout)) arms.push({ arm: HOLDOUT_ARM, holdout: true });
  // A variant dropped by a later version still has members; it is reported after the current ones.
  for (const r of rows) {
    if (!arms.some((a) => a.arm === r.arm)) arms.splice(arms.length - 1, 0, { arm: r.arm, holdout: false });
  }
  const cells: Cell[] = rows.map((r) => ({
    scheme: r.scheme,
    segment: r.segment,
    arm: r.arm,
    holdout: r.holdout,
    totals: {
      assigned: r.assigned,
      sent: r.sent,
      delivered: r.delivered,
      opened: r.opened,
      clicked: r.clicked,
      converted: r.converted,
      orders: r.orders,
      redeemed: r.redeemed,
      redemptions: r.redemptions,
      messages: r.messages,
      revenueUnits: BigInt(r.revenue_units),
      revenueSquaresUnits: BigInt(r.revenue_squares_units),
      revenueMembers: r.revenue_members,
      messageCostUnits: BigInt(r.message_cost_units),
      offerCostUnits: BigInt(r.redemptions) * offerUnits,
    },
  }));
  return {
    campaignId: campaign,
    label: definition.label ?? campaign,
    windowSeconds,
    arms,
    schemes: [...options.schemes],
    cells,
  };
}
