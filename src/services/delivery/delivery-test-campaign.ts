import type { Channel } from '../../contracts/records.ts';
import { approveCampaign } from '../campaigns/approve-campaign.ts';
import { campaignTestProgram, type TestMember } from '../campaigns/campaign-test-program.ts';
import { createCampaign } from '../campaigns/create-campaign.ts';
import { launchCampaign } from '../campaigns/launch-campaign.ts';
import type { Deps } from '../deps.ts';

// Delivery tests: a program whose members are all consented on one channel, and a launched
// one-variant campaign on that channel (through the real create, approve and launch path).

/** Launches campaign `name` on `channel` in `programId` (or a fresh program of `members`); returns the program. */
export async function launchDeliveryCampaign(
  deps: Deps,
  options: {
    channel: Channel;
    members?: readonly TestMember[];
    programId?: string;
    name?: string;
    body?: string;
  },
): Promise<string> {
  const consent = options.channel === 'email' || options.channel === 'sms' ? [options.channel] : [];
  const programId =
    options.programId ??
    (await campaignTestProgram(
      deps,
      options.members ?? [
        { id: 'M1', consent },
        { id: 'M2', consent },
      ],
    ));
  const name = options.name ?? 'nudge';
  await createCampaign(deps, {
    programId,
    source: {
      value: {
        name,
        goal: 'redeem',
        audience: { segments: ['loyalty/points_savers'] },
        offer: { kind: 'none', unitCost: 0 },
        channels: [options.channel],
        holdout: 0,
        variants: [
          {
            name: 'a',
            messages: {
              [options.channel]: {
                subject: 'Hello {{ member.id }}',
                body: options.body ?? 'Your points statement, {{ member.id }}.',
              },
            },
          },
        ],
      },
    },
  });
  await approveCampaign(deps, { programId, name, approvedBy: 'test' });
  await launchCampaign(deps, { programId, name });
  return programId;
}
