import { describe, expect, it } from 'vitest';
import { fromHalf, toHalf } from './float16.ts';

describe('float16', () => {
  it('maps every half bit pattern back to itself (NaNs stay NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) expect(Number.isNaN(fromHalf(toHalf(v)))).toBe(true);
      else expect(toHalf(v)).toBe(h);
    }
  });

  it('decodes the landmarks of IEEE 754 binary16', () => {
    expect(fromHalf(0x3c00)).toBe(1);
    expect(fromHalf(0xc000)).toBe(-2);
    expect(fromHalf(0x7bff)).toBe(65504);
    expect(fromHalf(0x0001)).toBe(2 ** -24);
    expect(fromHalf(0x0400)).toBe(2 ** -14);
    expect(fromHalf(0x7c00)).toBe(Infinity);
    expect(Object.is(fromHalf(0x8000), -0)).toBe(true);
  });

  it('rounds to the nearest half, ties to even, across normals, subnormals and overflow', () => {
    // Every float32 between two adjacent halves must land on the nearer one; at the midpoint, on the even one.
    const f = new Float32Array(1);
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 20000; i++) {
      const h = Math.floor(rand() * 0x7bff); // a finite, non-negative half below the largest
      const lo = fromHalf(h);
      const hi = fromHalf(h + 1);
      for (const t of [0.25, 0.5, 0.75, rand()]) {
        f[0] = lo + (hi - lo) * t;
        const x = f[0];
        const expected = x - lo < hi - x ? h : x - lo > hi - x ? h + 1 : h % 2 === 0 ? h : h + 1;
        expect(toHalf(x)).toBe(expected);
        expect(toHalf(-x)).toBe(expected | 0x8000);
      }
    }
    expect(toHalf(65519)).toBe(0x7bff); // below the midpoint to 2^16: rounds down to 65504
    expect(toHalf(65520)).toBe(0x7c00); // the midpoint rounds to even, which is infinity
    expect(toHalf(2 ** -25)).toBe(0); // half the smallest subnormal: ties to even zero
    expect(toHalf(2 ** -25 * 1.0001)).toBe(1);
    expect(toHalf(1e-10)).toBe(0);
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
  });
});
