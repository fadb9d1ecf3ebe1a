import type { RecordOf } from '../../contracts/records.ts';
import type { DemoCatalog, DemoProduct } from './demo-defaults.ts';
import { DEMO_DAY_MS, DEMO_DEFAULTS } from './demo-defaults.ts';
import { isoUtc } from './iso-time.ts';
import type { MemberProfile } from './member-profile.ts';
import { atLocalDaytime } from './member-profile.ts';
import type { Random } from './random.ts';

type PurchaseRecord = RecordOf['purchases'];
type PurchaseItem = NonNullable<PurchaseRecord['items']>[number];

/** An order as the rest of the generator needs it (points, reviews, surveys, tiers). */
export type DemoOrder = {
  readonly id: string;
  readonly time: number;
  /** Goods total in minor units (cents), shipping excluded. */
  readonly goodsMinor: number;
  readonly firstSku: string;
  /** The refund of this order, if there was one. */
  readonly refund?: { readonly id: string; readonly time: number };
};

export type DemoPurchases = {
  readonly purchases: PurchaseRecord[];
  readonly orders: DemoOrder[];
  /** When the member stopped being active: their dropout, or `now` if still alive. */
  readonly activeUntil: number;
};

const D = DEMO_DEFAULTS;
/** Hard cap on orders per member; only the far tail of the rate distribution comes near it. */
const MAX_ORDERS = 400;
/** Mean delay between joining and the first order: most join at checkout. */
const FIRST_ORDER_MEAN_DAYS = 3;
/** Members who never buy stop showing up within this many days of joining. */
const PROSPECT_ACTIVE_DAYS = 60;
/** When an order is below the target total by more than this share, another line is added. */
const FILL_TOLERANCE = 0.9;
/** Products up to this multiple of the remaining budget may still be picked. */
const PRICE_STRETCH = 1.3;
const SHIPPING_SKU = 'SHIPPING';

type PreparedCatalog = {
  readonly byCategory: ReadonlyMap<string, readonly { product: DemoProduct; minor: number }[]>;
};

// Member generation runs millions of times over the same catalog; group it once.
const prepared = new WeakMap<DemoCatalog, PreparedCatalog>();

function prepare(catalog: DemoCatalog): PreparedCatalog {
  const cached = prepared.get(catalog);
  if (cached) return cached;
  const byCategory = new Map<string, { product: DemoProduct; minor: number }[]>();
  for (const product of catalog) {
    const list = byCategory.get(product.category) ?? [];
    list.push({ product, minor: Math.round(product.price * 100) });
    byCategory.set(product.category, list);
  }
  for (const list of byCategory.values()) list.sort((a, b) => a.minor - b.minor);
  const result = { byCategory };
  prepared.set(catalog, result);
  return result;
}

/** Minor units (cents) -> contract decimal string with 4 places: 1234 -> "12.3400". */
export function minorToDecimal(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}00`;
}

/** Order times of a BG/NBD-like customer: Poisson purchases at `purchaseRate`, dropout after each. */
function orderTimes(random: Random, profile: MemberProfile): { times: number[]; activeUntil: number } {
  const { joinedAt, now } = profile;
  if (!profile.buyer) {
    return {
      times: [],
      activeUntil: Math.min(now, joinedAt + random.between(0, PROSPECT_ACTIVE_DAYS) * DEMO_DAY_MS),
    };
  }
  const times: number[] = [];
  let t = joinedAt + random.exponential(1 / FIRST_ORDER_MEAN_DAYS) * DEMO_DAY_MS;
  while (t <= now && times.length < MAX_ORDERS) {
    times.push(Math.round(t));
    if (random.chance(profile.dropoutChance)) return { times, activeUntil: Math.round(t) };
    t += (random.exponential(profile.purchaseRate) || 0) * DEMO_DAY_MS;
  }
  return { times, activeUntil: now };
}

function orderItems(
  random: Random,
  profile: MemberProfile,
  catalog: PreparedCatalog,
): { items: PurchaseItem[]; goodsMinor: number } {
  const targetMinor = random.logNormal(profile.orderValueMu, D.orderValueSigma) * 100;
  const quantities = new Map<DemoProduct, { minor: number; quantity: number }>();
  let goods = 0;
  while (goods < targetMinor * FILL_TOLERANCE && quantities.size < D.maxLinesPerOrder) {
    const category = random.fromTable(profile.categoryTable);
    const products = catalog.byCategory.get(category) ?? [];
    const budget = Math.max((targetMinor - goods) * PRICE_STRETCH, products[0]?.minor ?? 0);
    // Products are sorted by price, so the affordable ones are a prefix.
    let affordable = 0;
    while (affordable < products.length && (products[affordable]?.minor ?? 0) <= budget) affordable++;
    const chosen = products[random.int(0, Math.max(affordable, 1) - 1)];
    if (!chosen) break;
    const line = quantities.get(chosen.product);
    if (line) line.quantity += 1;
    else quantities.set(chosen.product, { minor: chosen.minor, quantity: 1 });
    goods += chosen.minor;
  }
  const items: PurchaseItem[] = [];
  for (const [product, line] of quantities) {
    items.push({
      sku: product.sku,
      category: product.category,
      description: product.description,
      quantity: line.quantity,
      unitPrice: minorToDecimal(line.minor),
      merchandise: true,
    });
  }
  return { items, goodsMinor: goods };
}

/** Generates a member's orders and refunds, sorted by time, with stable ids. */
export function drawPurchases(
  random: Random,
  profile: MemberProfile,
  catalogInput: DemoCatalog,
): DemoPurchases {
  const catalog = prepare(catalogInput);
  const { joinedAt, now, id: memberId } = profile;
  const { times, activeUntil } = orderTimes(random, profile);
  const placed = times
    .map((t) => atLocalDaytime(random, profile.zone, t, joinedAt, Math.min(now, activeUntil)))
    .sort((a, b) => a - b);

  const shippingMinor = Math.round(D.shippingFee * 100);
  const freeShippingMinor = D.freeShippingThreshold * 100;
  const records: { time: number; record: PurchaseRecord }[] = [];
  const orders: DemoOrder[] = [];
  placed.forEach((time, n) => {
    const { items, goodsMinor } = orderItems(random, profile, catalog);
    const paysShipping = goodsMinor < freeShippingMinor;
    if (paysShipping) {
      items.push({
        sku: SHIPPING_SKU,
        category: 'shipping',
        quantity: 1,
        unitPrice: minorToDecimal(shippingMinor),
        merchandise: false,
      });
    }
    const totalMinor = goodsMinor + (paysShipping ? shippingMinor : 0);
    const orderId = `${memberId}-p-${n + 1}`;
    const occurredAt = isoUtc(time);
    records.push({
      time,
      record: {
        id: orderId,
        memberId,
        occurredAt,
        kind: 'order',
        amount: minorToDecimal(totalMinor),
        currency: D.currency,
        items,
      },
    });

    let refund: DemoOrder['refund'];
    if (random.chance(D.refundShare)) {
      const refundTime = Math.round(time + random.between(1, D.refundMaxDays) * DEMO_DAY_MS);
      if (refundTime <= now) {
        refund = { id: `${memberId}-r-${n + 1}`, time: refundTime };
        records.push({
          time: refundTime,
          record: {
            id: refund.id,
            memberId,
            occurredAt: isoUtc(refundTime),
            kind: 'refund',
            refundOf: orderId,
            amount: minorToDecimal(totalMinor),
            currency: D.currency,
          },
        });
      }
    }
    const firstSku = items[0]?.sku ?? SHIPPING_SKU;
    orders.push(
      refund
        ? { id: orderId, time, goodsMinor, firstSku, refund }
        : { id: orderId, time, goodsMinor, firstSku },
    );
  });

  records.sort((a, b) => a.time - b.time);
  return { purchases: records.map((r) => r.record), orders, activeUntil };
}
