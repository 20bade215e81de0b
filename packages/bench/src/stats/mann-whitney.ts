import { normalSf } from './normal.ts';

/** A two-sided Mann-Whitney U test (Wilcoxon rank-sum): do two sets of timings come from one distribution? */
export interface MannWhitneyResult {
  /** U of the first sample: how many (x, y) pairs have x > y, ties counting one half (scipy's `statistic`) */
  readonly u: number;
  /** two-sided p-value */
  readonly p: number;
  readonly method: 'exact' | 'asymptotic';
}

/**
 * Matches `scipy.stats.mannwhitneyu(x, y)` (two-sided, continuity correction): the exact distribution of U when
 * both samples have at most 8 values and nothing is tied, else the normal approximation with the tie correction.
 * (scipy also goes exact when only one sample is that small; here that case is approximated: a timing loop has at
 * least 3 calls, and a 3-against-many comparison is not one to gate on anyway.)
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann-Whitney U needs at least one value in each sample');
  const all = [...Array.from(x, (v) => ({ v, first: true })), ...Array.from(y, (v) => ({ v, first: false }))];
  all.sort((a, b) => a.v - b.v);
  const n = n1 + n2;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based; a tie gets the mean of the ranks it spans
    for (let k = i; k <= j; k++) if (all[k].first) rankSumX += midRank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  if (n1 <= 8 && n2 <= 8 && tieTerm === 0) {
    return { u: u1, p: Math.min(1, 2 * exactUpperTail(u, n1, n2)), method: 'exact' };
  }
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return { u: u1, p: 1, method: 'asymptotic' }; // every value equal
  const z = (u - mean - 0.5) / sd;
  return { u: u1, p: Math.min(1, 2 * normalSf(z)), method: 'asymptotic' };
}

/** P(U >= u) under the null for samples of m and n values without ties: counts of U over all C(m+n, m) orders. */
function exactUpperTail(u: number, m: number, n: number): number {
  // counts[a][b][k]: orders of a x's and b y's with U = k, by the recurrence on whether the largest value is an x
  // (it then beats all b y's) or a y.
  const memo = new Map<string, number[]>();
  const counts = (a: number, b: number): number[] => {
    if (a === 0 || b === 0) return [1];
    const key = `${a},${b}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out = new Array<number>(a * b + 1).fill(0);
    counts(a - 1, b).forEach((c, k) => (out[k + b] += c));
    counts(a, b - 1).forEach((c, k) => (out[k] += c));
    memo.set(key, out);
    return out;
  };
  const dist = counts(m, n);
  const total = dist.reduce((s, c) => s + c, 0);
  let tail = 0;
  for (let k = Math.ceil(u); k < dist.length; k++) tail += dist[k];
  return tail / total;
}
