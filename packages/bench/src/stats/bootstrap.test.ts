import { describe, expect, it } from 'vitest';
import { quantileSorted } from './summary.ts';
import { seededRandom } from '@nin-bench/core-nin/stats/seeded-random';
import { bootstrapMedianRatio } from './bootstrap.ts';

/** Seeded, sorted, skewed timings like a timing loop's: a floor plus an exponential tail. */
function timings(n: number, seed: number, scale = 1): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: n }, () => scale * (10 - 2 * Math.log(1 - random()))).sort();
}

describe('bootstrap interval of the ratio of medians', () => {
  it('draws the same medians as sorting each resample would (the counting shortcut is exact)', () => {
    const a = timings(7, 3);
    const b = timings(10, 4);
    // the slow way, with the same generator: draw a's resample, then b's, as the implementation does
    const random = seededRandom(9);
    const naiveMedian = (sorted: Float64Array) =>
      quantileSorted(
        Float64Array.from({ length: sorted.length }, () => sorted[Math.floor(random() * sorted.length)]).sort(),
        0.5,
      );
    const ratios = Float64Array.from({ length: 50 }, () => {
      const mb = naiveMedian(b);
      return mb / naiveMedian(a);
    }).sort();
    const r = bootstrapMedianRatio(a, b, { resamples: 50, seed: 9 });
    expect(r.low).toBeCloseTo(quantileSorted(ratios, 0.025), 12);
    expect(r.high).toBeCloseTo(quantileSorted(ratios, 0.975), 12);
  });

  it('a run against itself: ratio 1 inside a narrow interval', () => {
    const a = timings(500, 1);
    const r = bootstrapMedianRatio(a, a);
    expect(r.ratio).toBe(1);
    expect(r.low).toBeLessThan(1);
    expect(r.high).toBeGreaterThan(1);
    expect(r.high - r.low).toBeLessThan(0.1);
  });

  it('samples 30% slower: ratio 1.3, and the interval excludes 1 by far', () => {
    const a = timings(300, 1);
    const r = bootstrapMedianRatio(
      a,
      a.map((v) => v * 1.3),
    );
    expect(r.ratio).toBeCloseTo(1.3, 12);
    expect(r.low).toBeGreaterThan(1.2);
    expect(r.high).toBeLessThan(1.4);
  });

  it('two independent draws of one distribution: the interval covers 1', () => {
    const r = bootstrapMedianRatio(timings(400, 1), timings(400, 2));
    expect(r.low).toBeLessThan(1);
    expect(r.high).toBeGreaterThan(1);
  });

  it('is reproducible for a seed and differs for another', () => {
    const a = timings(50, 1);
    const b = timings(50, 2);
    expect(bootstrapMedianRatio(a, b, { seed: 5 })).toEqual(bootstrapMedianRatio(a, b, { seed: 5 }));
    expect(bootstrapMedianRatio(a, b, { seed: 5 }).low).not.toBe(bootstrapMedianRatio(a, b, { seed: 6 }).low);
  });

  it('refuses an empty side', () => {
    expect(() => bootstrapMedianRatio([], [1])).toThrow(RangeError);
  });
});
