import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from './mann-whitney.ts';
import { normalSf } from './normal.ts';

// Reference values: scipy 1.17.1, `scipy.stats.mannwhitneyu(x, y, method=...)` and `scipy.stats.norm.sf(z)`.
describe('Mann-Whitney U against scipy', () => {
  it('exact distribution for small samples without ties', () => {
    const r = mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [2.5, 6.1, 7.2, 8.3, 9.4, 10.5]);
    expect(r).toMatchObject({ u: 3, method: 'exact' });
    expect(r.p).toBeCloseTo(0.030303030303030304, 12);
    // complete separation of 3 against 3: the smallest two-sided p there is, 2/20
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6])).toEqual({ u: 0, p: 0.1, method: 'exact' });
  });

  it('normal approximation with the tie correction and continuity correction', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8]);
    expect(r).toMatchObject({ u: 7.5, method: 'asymptotic' });
    expect(r.p / 0.006373133838085873).toBeCloseTo(1, 6);
  });

  it('large samples: overlapping and shifted by 30%', () => {
    const x = Array.from({ length: 200 }, (_, i) => 1 + i * 0.01);
    const overlapping = mannWhitneyU(
      x,
      Array.from({ length: 150 }, (_, i) => 1.2 + i * 0.011),
    );
    expect(overlapping.u).toBe(14635);
    expect(overlapping.p / 0.697193529184387).toBeCloseTo(1, 6);
    const shifted = mannWhitneyU(
      x,
      x.slice(0, 150).map((v) => v * 1.3),
    );
    expect(shifted.u).toBe(11133.5);
    expect(shifted.p / 3.674652029016843e-5).toBeCloseTo(1, 5);
  });

  it('identical samples: p = 1', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(mannWhitneyU(x, x)).toMatchObject({ u: 50, p: 1 });
    expect(mannWhitneyU([2, 2, 2, 2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2, 2, 2, 2]).p).toBe(1);
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });

  it("normal tail to the approximation's 1.2e-7 relative error, far tails included", () => {
    const scipy: [number, number][] = [
      [0, 0.5],
      [1, 0.15865525393145707],
      [1.96, 0.024997895148220435],
      [3, 0.0013498980316300933],
      [5, 2.866515718791933e-7],
      [10, 7.61985302416047e-24],
      [20, 2.7536241186061556e-89],
      [-1, 1 - 0.15865525393145707],
    ];
    for (const [z, p] of scipy) expect(Math.abs(normalSf(z) / p - 1)).toBeLessThan(2e-7);
  });
});
