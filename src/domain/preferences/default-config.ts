import {
  type PreferenceCentreConfig,
  PreferenceCentreConfig as Schema,
} from '../../contracts/preferences.ts';

// What a program's preference centre offers until its marketers configure it: the demo coffee
// shop's choices (domain/demo/demo-preferences.ts draws from the same values), and the points of
// the seed article — 250 for the full profile, 50 for a birthday.

/** The configuration of a program that has not set its own. */
export const DEFAULT_PREFERENCE_CONFIG: PreferenceCentreConfig = Schema.parse({
  title: 'Your preferences',
  linkTtlDays: 30,
  staleAfterDays: 365,
  interests: {
    label: 'Tell me about new arrivals in',
    points: 20,
    options: [
      { value: 'coffee', label: 'Coffee' },
      { value: 'tea', label: 'Tea' },
      { value: 'snacks', label: 'Snacks' },
      { value: 'equipment', label: 'Brewing equipment' },
      { value: 'gifts', label: 'Gifts' },
    ],
  },
  frequency: {
    label: 'Email me',
    points: 20,
    options: [
      { value: 'weekly_digest', label: 'A weekly digest' },
      { value: 'only_new_rewards', label: 'Only about new rewards' },
      { value: 'only_big_sales', label: 'Only about big sales' },
    ],
  },
  channels: { channels: ['email', 'sms', 'push'], points: 20 },
  values: {
    label: 'I want rewards that support',
    points: 20,
    options: [
      { value: 'sustainability', label: 'Sustainability' },
      { value: 'local_charities', label: 'Local charities' },
      { value: 'fair_trade', label: 'Fair trade' },
    ],
  },
  rewards: {
    label: 'The rewards I like best',
    points: 20,
    options: [
      { value: 'free_shipping', label: 'Free shipping' },
      { value: 'discounts', label: 'Discounts' },
      { value: 'experiential', label: 'Experiences and events' },
    ],
  },
  birthday: { points: 50 },
  profileCompletePoints: 250,
});
