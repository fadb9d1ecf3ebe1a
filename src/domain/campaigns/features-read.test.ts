import { describe, expect, it } from 'vitest';
import { sampleDefinition, samplePolicy } from './campaign-fixtures.ts';
import { compileCampaign } from './compile-campaign.ts';
import { featuresRead } from './features-read.ts';
import { createSandbox } from './liquid-sandbox.ts';

const engine = createSandbox();

function compiled(overrides: Parameters<typeof sampleDefinition>[0]) {
  const result = compileCampaign(engine, sampleDefinition(overrides), samplePolicy());
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

describe('the features a campaign reads', () => {
  it('are the filter leaves, the feature and declared tokens of every message, the balance and the channel preference', () => {
    const campaign = compiled({
      audience: {
        segments: ['loyalty/points_savers'],
        filter: {
          all: [
            { feature: 'clv_percentile', op: 'gte', value: 50 },
            { not: { feature: 'recency_days', op: 'gt', value: 90 } },
          ],
        },
      },
      variants: [
        {
          name: 'a',
          messages: {
            email: {
              subject: '{{ member.first_name }}',
              body: '{{ features.orders_90d }} {% if declared.interest %}{{ declared.interest }}{% endif %}',
            },
            sms: { body: 'Hi' },
          },
        },
        {
          name: 'b',
          messages: {
            email: { subject: 'Hi', body: 'Hello' },
            sms: { body: '{{ points.to_next_reward }} {{ offer.code }} {{ last.product }}' },
          },
        },
      ],
    });
    expect(featuresRead(campaign)).toEqual([
      'clv_percentile',
      'declared.channel_pref',
      'declared.interest',
      'orders_90d',
      'points_balance',
      'recency_days',
    ]);
  });

  it('are only the channel preference for a message that reads no feature', () => {
    const campaign = compiled({
      channels: ['email'],
      variants: [{ name: 'a', messages: { email: { subject: 'Hello', body: '{{ offer.code }}' } } }],
    });
    expect(featuresRead(campaign)).toEqual(['declared.channel_pref']);
  });
});
