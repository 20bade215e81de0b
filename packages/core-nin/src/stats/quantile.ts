/**
 * Linear interpolation between closest ranks on sorted samples (R's type 7, NumPy's default), which is what
 * tinybench uses for its p50/p75/p99. One definition for every percentile the project prints: the bench's p90
 * and the edge latency script's p50/p90/p99 are read off the same curve as tinybench's own.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  if (frac === 0) return sorted[lo];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}
