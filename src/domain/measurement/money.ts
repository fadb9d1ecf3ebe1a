import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';

// Money in the measurement code is a bigint count of 1/10,000ths (contracts/scalars.ts), so totals
// are exact however many members are summed. Only the statistics see floating point, after the sums.

/** Units per currency unit. */
export const UNITS_PER_CURRENCY = 10_000n;

/** numerator / denominator, rounded to the nearest unit, halves away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (2n * n + d) / (2n * d);
  return negative ? -quotient : quotient;
}

/** An exact total divided by a count, as a 4-decimal string; null when the count is 0. */
export function perCount(units: bigint, count: number): string | null {
  return count > 0 ? unitsToDecimal(divideRounded(units, BigInt(count))) : null;
}

/** Units as a number of currency units, for the statistics (exact while below 2^53 units). */
export function unitsToNumber(units: bigint): number {
  return Number(units) / 10_000;
}

/** A decimal string (e.g. "12.5", "0.0100") as units. */
export function toUnits(decimal: string): bigint {
  return decimalToUnits(decimal.trim());
}

export { unitsToDecimal };
