import type { Offer } from '../../contracts/campaigns.ts';
import type { FeatureVector } from '../../contracts/segments.ts';
import { featureDefinition } from '../features/feature-catalog.ts';

// The values a message template can read, by namespace:
//   member.*    the member's fields (id, tier, region, locale, timezone) and attributes (first_name, ...)
//   points.*    balance, to_next_reward, next_reward_at
//   last.*      product, category (the latest purchase)
//   features.*  any feature of the catalogue (features.clv_percentile)
//   declared.*  a declared value, several joined with ", " (declared.interest)
//   offer.*     kind, value, description, code
//   campaign.*  name, label

/** What a send knows about one member, as the templates and governance read it. */
export interface CampaignMember {
  /** The id users see (members.external_id). */
  id: string;
  timezone: string | null;
  tier: string | null;
  region: string | null;
  locale: string | null;
  attributes: Readonly<Record<string, string | number | boolean | null>>;
  /** Features by name, declared values as `declared.<key>` lists. */
  features: FeatureVector;
  lastProduct: string | null;
  lastCategory: string | null;
}

const MEMBER_FIELDS = ['id', 'tier', 'region', 'locale', 'timezone'] as const;
const FIXED_KEYS: Record<string, readonly string[]> = {
  points: ['balance', 'to_next_reward', 'next_reward_at'],
  last: ['product', 'category'],
  offer: ['kind', 'value', 'description', 'code'],
  campaign: ['name', 'label'],
};
/** Namespaces a token may start with. */
export const TOKEN_NAMESPACES = [
  'member',
  'points',
  'last',
  'features',
  'declared',
  'offer',
  'campaign',
] as const;

const TOKEN = /^([a-z]+)\.([a-z0-9_][a-z0-9_:-]*)$/;

/** Why a token cannot be used, or undefined when it can. Sensitive declaration keys are refused. */
export function tokenProblem(path: string, sensitiveKeys: ReadonlySet<string>): string | undefined {
  const match = TOKEN.exec(path);
  if (!match) {
    return `token "${path}" is not a value: write namespace.name, one of ${TOKEN_NAMESPACES.map((n) => `${n}.*`).join(', ')}`;
  }
  const [, namespace = '', key = ''] = match;
  switch (namespace) {
    case 'member':
      return undefined; // fields or open-ended attributes: an unknown one reads as missing
    case 'features':
      if (key.startsWith('declared') || featureDefinition(key) === undefined) {
        return `token "${path}" names no feature of the catalogue`;
      }
      return undefined;
    case 'declared':
      return sensitiveKeys.has(key)
        ? `token "${path}" reads "${key}", a declared value marked sensitive: it may not personalise a message`
        : undefined;
    default: {
      const keys = FIXED_KEYS[namespace];
      if (keys === undefined) {
        return `token "${path}" has no namespace "${namespace}"; one of ${TOKEN_NAMESPACES.join(', ')}`;
      }
      return keys.includes(key)
        ? undefined
        : `token "${path}" is unknown; ${namespace}.* has ${keys.join(', ')}`;
    }
  }
}

/** Points needed to reach the next reward threshold above the balance, and that threshold. */
export function nextReward(
  balance: number,
  thresholds: readonly number[],
): { toNext: number; at: number } | undefined {
  const at = thresholds.find((t) => t > balance);
  return at === undefined ? undefined : { toNext: at - balance, at };
}

/** The scope a template renders with; values a member lacks are simply absent. */
export function tokenScope(
  member: CampaignMember,
  offer: Offer,
  campaign: { name: string; label?: string | undefined },
  rewardThresholds: readonly number[],
): Record<string, Record<string, unknown>> {
  const memberScope: Record<string, unknown> = { ...member.attributes };
  for (const field of MEMBER_FIELDS) memberScope[field] = member[field];
  const declared: Record<string, unknown> = {};
  const features: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(member.features)) {
    if (name.startsWith('declared.')) {
      declared[name.slice('declared.'.length)] = Array.isArray(value) ? value.join(', ') : value;
    } else features[name] = value;
  }
  const balance = typeof features.points_balance === 'number' ? features.points_balance : undefined;
  const reward = balance === undefined ? undefined : nextReward(balance, rewardThresholds);
  return {
    member: memberScope,
    points: { balance, to_next_reward: reward?.toNext, next_reward_at: reward?.at },
    last: { product: member.lastProduct, category: member.lastCategory },
    features,
    declared,
    offer: { kind: offer.kind, value: offer.value, description: offer.description, code: offer.code },
    campaign: { name: campaign.name, label: campaign.label ?? campaign.name },
  };
}

/**
 * Fills each token the template reads that has no value (absent, null or empty) with its default,
 * else the template's fallback; with neither it stays absent and prints as nothing.
 */
export function withDefaults(
  scope: Record<string, Record<string, unknown>>,
  tokens: readonly string[],
  defaults: Readonly<Record<string, string>>,
  fallback: string,
): Record<string, Record<string, unknown>> {
  const filled: Record<string, Record<string, unknown>> = { ...scope };
  for (const path of tokens) {
    const [namespace = '', key = ''] = path.split('.', 2);
    const value = scope[namespace]?.[key];
    if (value !== undefined && value !== null && value !== '') continue;
    const replacement = defaults[path] ?? (fallback === '' ? undefined : fallback);
    if (replacement === undefined) continue;
    filled[namespace] = { ...filled[namespace], [key]: replacement };
  }
  return filled;
}
