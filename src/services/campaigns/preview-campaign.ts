import type { CampaignPreview, MemberDecision } from '../../contracts/campaigns.ts';
import type { Deps } from '../deps.ts';
import { readGovernancePolicy, requireCampaign, segmentFeatureLookup } from './campaign-store.ts';
import { recompileOrRefuse } from './compile-or-refuse.ts';
import { count, decisionView, emptyCounts, planCampaign } from './plan-campaign.ts';

/** Sample renders shown when no members are named. */
export const DEFAULT_PREVIEW_SAMPLES = 3;

/**
 * What launching the campaign now would do, without doing it: audience size, members excluded by
 * each rule, holdout, variant and channel sizes, and rendered messages for the named members (or
 * the first few who would be sent). Nothing is stored.
 */
export async function previewCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  {
    programId,
    name,
    version,
    members,
  }: {
    programId: string;
    name: string;
    version?: number | undefined;
    members?: readonly string[] | undefined;
  },
): Promise<CampaignPreview> {
  const row = await requireCampaign(deps.db, programId, name, version);
  const policy = await readGovernancePolicy(deps.db, programId);
  const compiled = recompileOrRefuse(
    row.definition as never,
    policy,
    await segmentFeatureLookup(deps.db, programId),
  );
  const now = deps.clock();
  const counts = emptyCounts();
  const samples: MemberDecision[] = [];
  await planCampaign(deps.db, {
    programId,
    name,
    compiled,
    policy,
    now,
    render: false,
    onBatch: async (plans) => {
      for (const { plan } of plans) {
        count(counts, plan);
        if (
          members === undefined &&
          samples.length < DEFAULT_PREVIEW_SAMPLES &&
          plan.channel &&
          plan.outcome !== 'holdout'
        ) {
          samples.push(decisionView(plan)); // re-rendered below
        }
      }
    },
  });
  const sampleIds = members ?? samples.map((s) => s.memberId);
  const rendered: MemberDecision[] = [];
  if (sampleIds.length > 0) {
    await planCampaign(deps.db, {
      programId,
      name,
      compiled,
      policy,
      now,
      render: true,
      onlyMembers: sampleIds,
      onBatch: async (plans) => {
        for (const { plan } of plans) rendered.push(decisionView(plan));
      },
    });
  }
  return { campaign: `${row.name}@${row.version}`, ...counts, samples: rendered };
}
