import type { CustomerSummary, FrequencyGroup } from './types.ts';

/**
 * Collapses customers with identical (x, tx, T) into counted groups. Cohort data repeat these
 * triples heavily (every x = 0 customer who joined on one day shares one), so the likelihood is
 * evaluated far fewer times per optimiser step.
 */
export function groupByFrequency(
  summaries: readonly Pick<CustomerSummary, 'x' | 'tx' | 'T'>[],
): FrequencyGroup[] {
  const groups = new Map<string, FrequencyGroup>();
  summaries.forEach((s, index) => {
    checkHistory(s, `summaries[${index}]`);
    const key = `${s.x}|${s.tx}|${s.T}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { x: s.x, tx: s.tx, T: s.T, count: 1 });
    else group.count += 1;
  });
  return [...groups.values()];
}

function checkHistory(s: Pick<CustomerSummary, 'x' | 'tx' | 'T'>, where: string): void {
  if (!(Number.isInteger(s.x) && s.x >= 0)) throw new RangeError(`${where}.x must be a whole number >= 0`);
  if (!(s.tx >= 0 && s.T >= s.tx && Number.isFinite(s.T))) {
    throw new RangeError(`${where} needs 0 <= tx <= T (tx=${s.tx}, T=${s.T})`);
  }
}

/**
 * Frequency groups as parallel arrays ordered by x, with the runs of equal x: the form the
 * likelihoods loop over, so terms that depend on x alone (log-gammas, digammas) are computed once
 * per distinct x rather than once per group.
 */
export interface CountData {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Customers in each group (a weight; need not be whole). */
  count: Float64Array;
  /**
   * The distinct values among all tx and T, and each group's index into them: a program's histories
   * take few distinct lengths (whole days), so terms like ln(α + T) are computed once per length.
   */
  times: Float64Array;
  tIndex: Int32Array;
  txIndex: Int32Array;
  /** Group indices runStart[k] up to runStart[k + 1] all have x = runX[k]. */
  runX: number[];
  runStart: number[];
  /** Sum of the counts: the customers the likelihood is over. */
  customers: number;
}

/** Orders counted groups by x into a CountData; rejects an empty or malformed group list. */
export function countDataOf(groups: readonly FrequencyGroup[]): CountData {
  groups.forEach((g, index) => {
    checkHistory(g, `groups[${index}]`);
    if (!(g.count > 0 && Number.isFinite(g.count)))
      throw new RangeError(`groups[${index}].count must be > 0`);
  });
  const order = groups
    .map((_, i) => i)
    .sort((i, j) => (groups[i] as FrequencyGroup).x - (groups[j] as FrequencyGroup).x);
  const n = order.length;
  const data: CountData = {
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    count: new Float64Array(n),
    times: new Float64Array(0),
    tIndex: new Int32Array(n),
    txIndex: new Int32Array(n),
    runX: [],
    runStart: [],
    customers: 0,
  };
  const times = new Map<number, number>();
  const timeIndex = (t: number): number => {
    let index = times.get(t);
    if (index === undefined) {
      index = times.size;
      times.set(t, index);
    }
    return index;
  };
  order.forEach((from, i) => {
    const g = groups[from] as FrequencyGroup;
    data.x[i] = g.x;
    data.tx[i] = g.tx;
    data.T[i] = g.T;
    data.count[i] = g.count;
    data.tIndex[i] = timeIndex(g.T);
    data.txIndex[i] = timeIndex(g.tx);
    data.customers += g.count;
    if (i === 0 || g.x !== data.x[i - 1]) {
      data.runX.push(g.x);
      data.runStart.push(i);
    }
  });
  data.runStart.push(n);
  data.times = Float64Array.from(times.keys());
  return data;
}

/**
 * Every k-th group of a CountData (with its own count), for a quick preliminary fit: a subset
 * whose optimum lies near the full data's, so the full search can start there.
 */
export function thinCountData(data: CountData, every: number): CountData {
  const picked: number[] = [];
  for (let i = 0; i < data.x.length; i += every) picked.push(i);
  const pick = <A extends Float64Array | Int32Array>(from: A, make: (n: number) => A): A => {
    const to = make(picked.length);
    picked.forEach((i, k) => {
      to[k] = from[i] as number;
    });
    return to;
  };
  const floats = (n: number) => new Float64Array(n);
  const ints = (n: number) => new Int32Array(n);
  const thin: CountData = {
    x: pick(data.x, floats),
    tx: pick(data.tx, floats),
    T: pick(data.T, floats),
    count: pick(data.count, floats),
    times: data.times,
    tIndex: pick(data.tIndex, ints),
    txIndex: pick(data.txIndex, ints),
    runX: [],
    runStart: [],
    customers: 0,
  };
  thin.x.forEach((x, i) => {
    thin.customers += thin.count[i] as number;
    if (i === 0 || x !== thin.x[i - 1]) {
      thin.runX.push(x);
      thin.runStart.push(i);
    }
  });
  thin.runStart.push(thin.x.length);
  return thin;
}

/**
 * CountData straight from per-customer histories in whole days (x, tx in days, T in days), with tx
 * and T converted to the time unit: customers are counted into groups by sorting one numeric key
 * per customer, and the history lengths index a dense table of 0..max T days. This is the fast path
 * for a whole program; `indices` restricts it to some customers.
 */
export function countDataFromDays(
  x: ArrayLike<number>,
  txDays: ArrayLike<number>,
  ageDays: ArrayLike<number>,
  daysPerUnit: number,
  indices?: ArrayLike<number>,
): CountData {
  const n = indices === undefined ? x.length : indices.length;
  const at = (k: number) => (indices === undefined ? k : (indices[k] as number));
  let maxAge = 0;
  let maxX = 0;
  for (let k = 0; k < n; k++) {
    const i = at(k);
    const xi = x[i] as number;
    const tx = txDays[i] as number;
    const age = ageDays[i] as number;
    if (!(Number.isInteger(xi) && xi >= 0))
      throw new RangeError(`customer ${i}: x must be a whole number >= 0`);
    if (!(Number.isInteger(tx) && Number.isInteger(age) && tx >= 0 && age >= tx)) {
      throw new RangeError(`customer ${i} needs whole days 0 <= tx <= T (tx=${tx}, T=${age})`);
    }
    if (age > maxAge) maxAge = age;
    if (xi > maxX) maxX = xi;
  }
  const D = maxAge + 1;
  if ((maxX + 1) * D * D > Number.MAX_SAFE_INTEGER) throw new RangeError('histories too long to group');
  // Whole-number keys below 2^32 sort as 32-bit integers (faster); larger ones as doubles, still exact.
  const keys = (maxX + 1) * D * D <= 2 ** 32 ? new Uint32Array(n) : new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = at(k);
    keys[k] = ((x[i] as number) * D + (txDays[i] as number)) * D + (ageDays[i] as number);
  }
  keys.sort();
  let groups = 0;
  for (let k = 0; k < n; k++) if (k === 0 || keys[k] !== keys[k - 1]) groups++;
  const data: CountData = {
    x: new Float64Array(groups),
    tx: new Float64Array(groups),
    T: new Float64Array(groups),
    count: new Float64Array(groups),
    times: Float64Array.from({ length: D }, (_, d) => d / daysPerUnit),
    tIndex: new Int32Array(groups),
    txIndex: new Int32Array(groups),
    runX: [],
    runStart: [],
    customers: n,
  };
  let g = -1;
  for (let k = 0; k < n; k++) {
    const key = keys[k] as number;
    if (k > 0 && key === keys[k - 1]) {
      data.count[g] = (data.count[g] as number) + 1;
      continue;
    }
    g += 1;
    const age = key % D;
    const rest = (key - age) / D;
    const tx = rest % D;
    const xi = (rest - tx) / D;
    data.x[g] = xi;
    data.tx[g] = tx / daysPerUnit;
    data.T[g] = age / daysPerUnit;
    data.count[g] = 1;
    data.tIndex[g] = age;
    data.txIndex[g] = tx;
    if (g === 0 || xi !== data.x[g - 1]) {
      data.runX.push(xi);
      data.runStart.push(g);
    }
  }
  data.runStart.push(groups);
  return data;
}

/**
 * Distinct (x, t) points of a CountData, for likelihood terms that depend on x and one history
 * length (T or tx) alone, so they are evaluated once per point rather than once per group.
 */
export interface HistoryPoints {
  x: Float64Array;
  /** Index of the point's t into CountData.times. */
  time: Int32Array;
  /** Points of x-run k are runStart[k] up to runStart[k + 1]. */
  runStart: number[];
  /** Per group: its point of (x, T), and of (x, tx) where `needsTx` asked for one, else -1. */
  atT: Int32Array;
  atTx: Int32Array;
}

/** Below this a scaled exponential is too near underflow to keep full precision (use log space). */
export const SMALLEST_SCALED = 1e-280;

export function historyPointsOf(data: CountData, needsTx: (group: number) => boolean): HistoryPoints {
  const xs: number[] = [];
  const times: number[] = [];
  const runStart: number[] = [];
  const n = data.x.length;
  const atT = new Int32Array(n);
  const atTx = new Int32Array(n).fill(-1);
  const seen = new Int32Array(data.times.length).fill(-1);
  for (let k = 0; k < data.runX.length; k++) {
    const x = data.runX[k] as number;
    const first = xs.length;
    runStart.push(first);
    const pointOf = (time: number): number => {
      const known = seen[time] as number;
      if (known >= first) return known;
      xs.push(x);
      times.push(time);
      seen[time] = xs.length - 1;
      return xs.length - 1;
    };
    const end = data.runStart[k + 1] as number;
    for (let i = data.runStart[k] as number; i < end; i++) {
      atT[i] = pointOf(data.tIndex[i] as number);
      if (needsTx(i)) atTx[i] = pointOf(data.txIndex[i] as number);
    }
  }
  runStart.push(xs.length);
  return { x: Float64Array.from(xs), time: Int32Array.from(times), runStart, atT, atTx };
}
