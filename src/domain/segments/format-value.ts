import type { FeatureValue } from '../../contracts/segments.ts';
import type { FeatureDefinition } from '../features/feature-catalog.ts';

// Values as a marketer reads them in an explanation. The locale is fixed so that an explanation is
// the same on every machine and in every stored membership.

const LOCALE = 'en-US';
const WHOLE = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 4 });
const RATIO = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const MONEY = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const PERCENTILE = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });

/** An ISO timestamp as its UTC date, with the time only when it is not midnight. */
export function formatDate(iso: string): string {
  const text = new Date(Date.parse(iso)).toISOString();
  const time = text.slice(11, 16);
  return time === '00:00' ? text.slice(0, 10) : `${text.slice(0, 10)} ${time} UTC`;
}

/** A number in the feature's unit: "4,210", "0.02", "1,234.50", "93". */
export function formatNumber(def: FeatureDefinition, value: number): string {
  switch (def.unit) {
    case 'ratio':
    case 'probability':
      return RATIO.format(value);
    case 'currency':
      return MONEY.format(value);
    case 'percentile':
      return PERCENTILE.format(value);
    default:
      return WHOLE.format(value);
  }
}

/** Any feature or rule value, formatted for the feature. */
export function formatValue(def: FeatureDefinition, value: FeatureValue | number | string): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (def.type === 'date' && typeof value === 'string') return formatDate(value);
  if (def.type === 'money' && typeof value === 'string') {
    // Grouping and trimming through Number is for display only; comparisons stay exact.
    return MONEY.format(Number(value));
  }
  if (typeof value === 'number') return formatNumber(def, value);
  return value;
}
