import type { GovernancePolicy } from '../../contracts/campaigns.ts';
import { DEFAULT_SENSITIVE_DECLARATION_KEYS } from './sensitive-guard.ts';

/**
 * The send rules of a program that has set none: at most 3 marketing emails, 2 texts, 3 pushes
 * and 5 in-app messages per member per rolling 7 days; nothing arrives between 21:00 and 08:00 in
 * the member's zone; members without a zone are in UTC; rewards unlock at 500, 1,000, 2,500 and
 * 5,000 points.
 */
export const DEFAULT_GOVERNANCE_POLICY: GovernancePolicy = {
  frequencyCaps: {
    email: { maxMessages: 3, windowHours: 168 },
    sms: { maxMessages: 2, windowHours: 168 },
    push: { maxMessages: 3, windowHours: 168 },
    in_app: { maxMessages: 5, windowHours: 168 },
  },
  quietHours: { start: '21:00', end: '08:00' },
  defaultTimezone: 'UTC',
  sensitiveDeclarationKeys: [...DEFAULT_SENSITIVE_DECLARATION_KEYS],
  rewardThresholds: [500, 1000, 2500, 5000],
};
