import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import type { AttributionRule } from '../../contracts/measurement.ts';
import type {
  Assignment,
  AttributionPurchase,
  CampaignMessageEvent,
  MeasuredCampaign,
  OfferRedemption,
} from '../../domain/measurement/attribution.ts';
import { measureCampaign } from '../../domain/measurement/measure-campaign.ts';
import { reportCampaign } from './report-campaign.ts';
import { measuredProgram, type TestDecision } from './report-test-program.ts';

// The SQL of the campaign report against the in-memory reference of the same rules
// (domain/measurement/measure-campaign.ts): random programs with three competing campaigns,
// overlapping windows, purchases on and one second off the window edges, refunds, redemptions of
// each offer's code, unsent variant members and overlapping segments must give the same report.

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const BASE = Date.parse('2024-06-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomProgram(seed: number) {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const members = Array.from({ length: 40 }, (_, i) => `M${i}`);
  const campaigns: MeasuredCampaign[] = [
    {
      campaignId: 'alpha',
      offer: { code: 'ALPHA', unitCost: '1.50' },
      messageCost: { email: '0.02' },
      windowSeconds: 3 * 86_400,
    },
    {
      campaignId: 'beta',
      offer: { code: 'SHARED', unitCost: '0.25' },
      messageCost: {},
      windowSeconds: 7 * 86_400,
    },
    {
      campaignId: 'gamma',
      offer: { code: 'SHARED', unitCost: '2' },
      messageCost: { email: '0.005' },
      windowSeconds: 86_400,
    },
  ];
  const assignments: Assignment[] = [];
  const decisions: TestDecision[] = [];
  const messageEvents: CampaignMessageEvent[] = [];
  const touches: number[] = [];
  for (const campaign of campaigns) {
    const assignedAt = BASE + Math.floor(next() * 48) * HOUR;
    for (const member of members) {
      if (next() < 0.3) continue;
      const arm = next() < 0.3 ? 'holdout' : pick(['a', 'b']);
      const segments = ['loyalty/vips', 'loyalty/savers', 'loyalty/new'].filter(() => next() < 0.4);
      assignments.push({
        campaignId: campaign.campaignId,
        memberId: member,
        arm,
        holdout: arm === 'holdout',
        assignedAt: iso(assignedAt),
        segments: segments.map((s) => ({ scheme: 'loyalty', segment: s.slice(8) })),
      });
      decisions.push({ campaign: campaign.campaignId, member, arm, decidedAt: iso(assignedAt), segments });
      touches.push(assignedAt);
      if (arm !== 'holdout' && next() < 0.85) {
        const sentAt = assignedAt + Math.floor(next() * 6) * HOUR;
        touches.push(sentAt);
        for (const type of ['sent', 'delivered', 'opened', 'clicked'] as const) {
          if (type !== 'sent' && next() < 0.4) break;
          messageEvents.push({
            campaignId: campaign.campaignId,
            memberId: member,
            type,
            channel: 'email',
            occurredAt: iso(sentAt),
          });
        }
        if (next() < 0.2) {
          messageEvents.push({
            campaignId: campaign.campaignId,
            memberId: member,
            type: 'sent',
            channel: 'email',
            occurredAt: iso(sentAt + HOUR),
          });
        }
      }
    }
  }
  // Purchases: mostly on the hour, some on a touch's window edge or one second past it.
  const purchases: AttributionPurchase[] = [];
  const redemptions: OfferRedemption[] = [];
  for (const member of members) {
    const count = Math.floor(next() * 4);
    for (let k = 0; k < count; k++) {
      const edge = pick([0, 1, 3, 7]) * 86_400_000;
      const at =
        next() < 0.4 ? pick(touches) + edge + pick([0, 1000]) : BASE + Math.floor(next() * 14 * 24) * HOUR;
      const id = `o-${member}-${k}`;
      purchases.push({
        id,
        memberId: member,
        occurredAt: iso(at),
        kind: 'order',
        refundOf: null,
        amount: ((100 + Math.floor(next() * 9000)) / 100).toFixed(2),
      });
      if (next() < 0.2) {
        purchases.push({
          id: `r-${id}`,
          memberId: member,
          occurredAt: iso(at + HOUR),
          kind: 'refund',
          refundOf: id,
          amount: (Math.floor(next() * 5000) / 100).toFixed(2),
        });
      }
    }
    if (next() < 0.5) {
      redemptions.push({
        id: `p-${member}`,
        memberId: member,
        occurredAt: iso(BASE + Math.floor(next() * 10 * 24) * HOUR),
        offerCode: pick(['ALPHA', 'SHARED', 'NONE']),
      });
    }
  }
  return { members, campaigns, assignments, decisions, messageEvents, purchases, redemptions };
}

describe('the campaign report in SQL', () => {
  it('equals the in-memory reference on random programs, under both attribution rules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const world = randomProgram(seed);
        const programId = await measuredProgram(deps, {
          members: world.members.map((id) => ({ id })),
          campaigns: world.campaigns.map((c) => ({
            name: c.campaignId,
            holdout: 0.3,
            offer: {
              kind: 'bonus_points' as const,
              value: 1,
              unitCost: c.offer?.unitCost ?? '0',
              code: c.offer?.code,
            },
            measurement: { windowDays: (c.windowSeconds ?? 0) / 86_400, messageCost: c.messageCost },
            variants: ['a', 'b'].map((name) => ({ name, messages: { email: { subject: 'S', body: 'B' } } })),
          })),
          decisions: world.decisions,
          messageEvents: world.messageEvents.map((e, i) => ({ ...e, id: `m${i}` })),
          purchases: world.purchases.map((p) => ({
            ...p,
            currency: 'GBP',
            refundOf: p.refundOf ?? undefined,
          })),
          points: world.redemptions.map((r) => ({
            id: r.id,
            memberId: r.memberId,
            occurredAt: r.occurredAt,
            type: 'redeem',
            points: 10,
            reward: r.offerCode,
          })),
        });
        for (const rule of ['last_touch', 'first_touch'] as AttributionRule[]) {
          for (const campaign of world.campaigns) {
            const settings = { minMembers: 2, minConversions: 1, attributionRule: rule };
            const fromDb = await reportCampaign(deps, {
              programId,
              campaign: campaign.campaignId,
              schemes: ['loyalty'],
              settings,
            });
            const reference = measureCampaign(
              {
                ...world,
                campaignId: campaign.campaignId,
                currency: 'GBP',
                arms: [
                  { arm: 'a', holdout: false },
                  { arm: 'b', holdout: false },
                  { arm: 'holdout', holdout: true },
                ],
                schemes: ['loyalty'],
              },
              settings,
            );
            expect(fromDb).toEqual(reference);
          }
        }
      }),
      { numRuns: 3 },
    );
  });
});
