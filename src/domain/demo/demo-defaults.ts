// The knobs of the demo program. Every number that shapes the generated population lives here,
// named and documented, so a reader can tell why the demo has as many VIPs or hoarders as it has.

/** One product of the demo shop. `price` is in currency units with at most 2 decimals. */
export type DemoProduct = {
  readonly sku: string;
  readonly category: string;
  readonly description: string;
  readonly price: number;
};

/** The products a demo program sells; categories are taken from it (interests, affinities). */
export type DemoCatalog = readonly DemoProduct[];

/** A speciality coffee-and-tea shop: cheap consumables bought often, equipment and gifts rarely. */
export const DEMO_CATALOG: DemoCatalog = [
  { sku: 'COF-HOUSE-250', category: 'coffee', description: 'House blend beans 250 g', price: 8.5 },
  {
    sku: 'COF-ETHIOPIA-250',
    category: 'coffee',
    description: 'Ethiopia Yirgacheffe beans 250 g',
    price: 12.9,
  },
  { sku: 'COF-COLOMBIA-1K', category: 'coffee', description: 'Colombia Huila beans 1 kg', price: 34 },
  { sku: 'COF-DECAF-250', category: 'coffee', description: 'Swiss water decaf 250 g', price: 9.5 },
  { sku: 'COF-PODS-30', category: 'coffee', description: 'Compostable pods x30', price: 11 },
  { sku: 'TEA-ASSAM-100', category: 'tea', description: 'Assam loose leaf 100 g', price: 6.5 },
  { sku: 'TEA-SENCHA-100', category: 'tea', description: 'Sencha green tea 100 g', price: 9 },
  { sku: 'TEA-CHAI-200', category: 'tea', description: 'Masala chai blend 200 g', price: 10.5 },
  { sku: 'TEA-SAMPLER', category: 'tea', description: 'Seasonal tea sampler', price: 18 },
  { sku: 'SNK-BISCOTTI', category: 'snacks', description: 'Almond biscotti', price: 4.2 },
  { sku: 'SNK-CHOC-70', category: 'snacks', description: '70% dark chocolate bar', price: 3.8 },
  { sku: 'SNK-GRANOLA', category: 'snacks', description: 'Maple granola 400 g', price: 6.9 },
  { sku: 'EQP-FILTERS-100', category: 'equipment', description: 'Paper filters x100', price: 5.5 },
  { sku: 'EQP-GRINDER', category: 'equipment', description: 'Hand burr grinder', price: 59 },
  { sku: 'EQP-KETTLE', category: 'equipment', description: 'Gooseneck kettle', price: 45 },
  { sku: 'EQP-ESPRESSO', category: 'equipment', description: 'Home espresso machine', price: 249 },
  { sku: 'GFT-CARD-25', category: 'gifts', description: 'Gift card 25', price: 25 },
  { sku: 'GFT-HAMPER', category: 'gifts', description: 'Coffee lover hamper', price: 65 },
  { sku: 'GFT-MUG', category: 'gifts', description: 'Stoneware mug', price: 14 },
];

/** A reward members can redeem points for. */
export type DemoReward = { readonly name: string; readonly points: number };

/** A time zone members live in, with what follows from it. */
export type DemoZone = {
  readonly timezone: string;
  /** Share of members in this zone (weights, need not sum to 1). */
  readonly weight: number;
  readonly locales: readonly string[];
  readonly region: string;
  /** Standard-time offset from UTC in hours; used only to put events in the local daytime. */
  readonly utcOffsetHours: number;
  /** A fictional number range (drama/test ranges) so no demo phone number is anyone's... */
  readonly phonePrefix: string;
  /** ...completed by this many random digits. */
  readonly phoneDigits: number;
};

const DAY_MS = 86_400_000;

/** Defaults of the demo generator. */
export const DEMO_DEFAULTS = {
  /** Members in the demo program. */
  members: 20_000,
  /** PRNG seed of the demo program; same seed, same program. */
  seed: 42,
  /** Currency of every order. */
  currency: 'GBP',
  /** Members joined over this many days before `now`. */
  historyDays: 3 * 365,
  /** >1 skews joins towards recent dates (a growing program); 1 would be uniform. */
  joinRecencySkew: 1.2,
  /** Share of members who join and never buy (prospects). */
  neverPurchaseShare: 0.12,
  /** Gamma shape of the purchase rate across members (BG/NBD r): small = very unequal. */
  purchaseRateShape: 0.9,
  /** Mean purchases per year while a member is active (r / alpha, in years). */
  purchasesPerYear: 7,
  /** Beta(a, b) of the chance to drop out after each purchase (BG/NBD p); mean a / (a + b). */
  dropoutBeta: { a: 0.9, b: 5.5 },
  /** Population median order value, in currency units. */
  medianOrderValue: 28,
  /** Spread (log scale) of members' own mean order value around the population median. */
  memberOrderValueSigma: 0.4,
  /** Spread (log scale) of one member's order values around their own mean. */
  orderValueSigma: 0.45,
  /** Most product lines in one order. */
  maxLinesPerOrder: 8,
  /** Orders whose goods total below this pay `shippingFee` (both in currency units). */
  freeShippingThreshold: 40,
  shippingFee: 4.95,
  /** Chance that an order is later refunded in full, and the days it may take. */
  refundShare: 0.03,
  refundMaxDays: 21,
  /** Points earned per whole currency unit of goods (shipping earns nothing). */
  pointsPerCurrencyUnit: 1,
  /** Points for non-purchase activity, by reason. */
  activityPoints: { review: 50, referral: 250, ugc: 30, challenge: 100 },
  /** Points per preference-centre item, once per item (DESIGN.md §6). */
  profileItemPoints: 20,
  /** Rewards, cheapest first. */
  rewards: [
    { name: 'Free shipping', points: 300 },
    { name: '£5 off', points: 500 },
    { name: '£12 off', points: 1000 },
    { name: 'Barista masterclass', points: 2500 },
  ] satisfies readonly DemoReward[],
  /** The whole balance expires after this many days without earning or redeeming. */
  pointsExpiryDays: 540,
  /** Shares of redemption habits: hoarders become Points Savers, the rest redeem now and then or often. */
  redemptionHabits: { hoarder: 0.22, occasional: 0.53, frequent: 0.25 },
  /** Chance to redeem at each earn event once a reward is affordable, by habit. */
  redeemChance: { hoarder: 0.01, occasional: 0.25, frequent: 0.8 },
  /** Trailing spend (currency units, last 365 days) that earns each tier; below silver is bronze. */
  tierThresholds: { silver: 200, gold: 600 },
  /** Share of members who are advocates: lots of activity, modest spend. */
  advocateShare: 0.07,
  /** Advocates' engagement is multiplied and their purchase rate and order value scaled by these. */
  advocateEngagementFactor: 8,
  advocateSpendFactor: 0.6,
  /** Share of buyers who are Apostle "hostages": frequent earners, low satisfaction, never redeem. */
  hostageShare: 0.05,
  hostagePurchaseFactor: 2.5,
  /** Gamma shape and mean (per 30 days) of members' non-purchase activity. */
  engagementShape: 0.6,
  engagementPerMonth: 1.2,
  /** Share of members whose engagement stops well before `now` while they still buy. */
  fadingEngagementShare: 0.2,
  /** Most events of one engagement kind per member (keeps heavy app users bounded). */
  maxEventsPerKind: 300,
  /** Activity carries on this long after the last purchase of a member who dropped out. */
  dropoutTailDays: 45,
  /** Contact points: share with an email, a phone, the app (push token). */
  emailShare: 0.97,
  phoneShare: 0.6,
  appShare: 0.45,
  /** Consent granted at signup for marketing, by channel, and the chance of a later revocation. */
  marketingOptIn: { email: 0.72, sms: 0.38, push: 0.65 },
  revocationShare: 0.12,
  /** Share of members who filled the preference centre (higher for engaged members). */
  preferenceCentreShare: 0.35,
  /** Share of preference-centre users who took the taste quiz, and who later changed an answer. */
  quizShare: 0.6,
  redeclareShare: 0.15,
  /** Chance of a CSAT survey after an order, and of an NPS survey per year of activity. */
  csatPerOrder: 0.12,
  npsPerYear: 0.35,
  /** Share of members with a birthday on file. */
  birthdayShare: 0.5,
} as const;

export type DemoDefaults = typeof DEMO_DEFAULTS;

/** Where members live; the weights give a UK-first shop with sizeable US, EU and APAC audiences. */
export const DEMO_ZONES: readonly DemoZone[] = [
  {
    timezone: 'Europe/London',
    weight: 34,
    locales: ['en-GB'],
    region: 'UK',
    utcOffsetHours: 0,
    phonePrefix: '+44 7700 900',
    phoneDigits: 3,
  },
  {
    timezone: 'Europe/Dublin',
    weight: 3,
    locales: ['en-IE'],
    region: 'IE',
    utcOffsetHours: 0,
    phonePrefix: '+353 20 910',
    phoneDigits: 4,
  },
  {
    timezone: 'Europe/Berlin',
    weight: 12,
    locales: ['de-DE', 'en-GB'],
    region: 'DE',
    utcOffsetHours: 1,
    phonePrefix: '+49 30 2345',
    phoneDigits: 4,
  },
  {
    timezone: 'Europe/Paris',
    weight: 6,
    locales: ['fr-FR'],
    region: 'FR',
    utcOffsetHours: 1,
    phonePrefix: '+33 1 99 00',
    phoneDigits: 4,
  },
  {
    timezone: 'America/New_York',
    weight: 14,
    locales: ['en-US'],
    region: 'US-East',
    utcOffsetHours: -5,
    phonePrefix: '+1 212 555 01',
    phoneDigits: 2,
  },
  {
    timezone: 'America/Chicago',
    weight: 7,
    locales: ['en-US', 'es-US'],
    region: 'US-Central',
    utcOffsetHours: -6,
    phonePrefix: '+1 312 555 01',
    phoneDigits: 2,
  },
  {
    timezone: 'America/Los_Angeles',
    weight: 9,
    locales: ['en-US', 'es-US'],
    region: 'US-West',
    utcOffsetHours: -8,
    phonePrefix: '+1 213 555 01',
    phoneDigits: 2,
  },
  {
    timezone: 'Asia/Tokyo',
    weight: 5,
    locales: ['ja-JP', 'en-US'],
    region: 'JP',
    utcOffsetHours: 9,
    phonePrefix: '+81 3 0000 0',
    phoneDigits: 3,
  },
  {
    timezone: 'Australia/Sydney',
    weight: 7,
    locales: ['en-AU'],
    region: 'AU',
    utcOffsetHours: 10,
    phonePrefix: '+61 2 5550 0',
    phoneDigits: 3,
  },
  {
    timezone: 'Pacific/Auckland',
    weight: 3,
    locales: ['en-NZ'],
    region: 'NZ',
    utcOffsetHours: 12,
    phonePrefix: '+64 9 555 0',
    phoneDigits: 3,
  },
];

/** Milliseconds in a day, for turning the day counts above into times. */
export const DEMO_DAY_MS = DAY_MS;
