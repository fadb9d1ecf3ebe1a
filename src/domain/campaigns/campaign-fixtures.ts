import {
  CampaignDefinition,
  type CampaignDefinitionInput,
  type GovernancePolicy,
} from '../../contracts/campaigns.ts';
import { DEFAULT_GOVERNANCE_POLICY } from './default-policy.ts';

/** A small valid definition for tests, with overrides. */
export function sampleDefinition(overrides: Partial<CampaignDefinitionInput> = {}): CampaignDefinition {
  return CampaignDefinition.parse({
    name: 'points-nudge',
    goal: 'redeem',
    audience: { segments: ['loyalty/points_savers'] },
    offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
    channels: ['email', 'sms'],
    variants: [
      {
        name: 'a',
        messages: {
          email: {
            subject: 'Hi {{ member.first_name }}, {{ points.balance }} points are waiting',
            body: 'Only {{ points.to_next_reward }} points to your next reward. Use {{ offer.code }}.',
            defaults: { 'member.first_name': 'there' },
          },
          sms: { body: '{{ offer.value }} bonus points: {{ offer.code }}' },
        },
      },
    ],
    ...overrides,
  });
}

/** The default policy with overrides. */
export function samplePolicy(overrides: Partial<GovernancePolicy> = {}): GovernancePolicy {
  return { ...DEFAULT_GOVERNANCE_POLICY, ...overrides };
}
