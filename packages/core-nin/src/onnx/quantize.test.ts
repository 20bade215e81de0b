import { describe, expect, it } from 'vitest';
import { seededRandom } from '../model/nin.ts';
import {
  ActivationRange,
  RANGE_HISTOGRAM_BINS,
  activationScale,
  formatActivationStatistic,
  parseActivationStatistic,
  quantizeBias,
  quantizeWeightsPerChannel,
  roundHalfEven,
} from './quantize.ts';

describe('int8 quantisation arithmetic', () => {
  it('rounds half to even, as ONNX QuantizeLinear does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 3].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, -2, 2, 3, 3,
    ]);
  });

  it('quantises weights symmetrically with one scale per output channel', () => {
    // two channels of three weights, max |w| 127 and 15.875: scales 1 and 1/8, exact in binary, so the ties are real ties
    const w = new Float32Array([127, -1.5, 0.5, 15.875, -7.9375, 0.0625]);
    const { values, scales } = quantizeWeightsPerChannel(w, 2);
    expect([...scales]).toEqual([1, 0.125]);
    expect([...values]).toEqual([127, -2, 0, 127, -64, 0]); // -1.5 -> -2, 0.5 -> 0, -63.5 -> -64: half to even
    // dequantised within half a step of each channel
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(values[i] * scales[i < 3 ? 0 : 1] - w[i])).toBeLessThanOrEqual(scales[i < 3 ? 0 : 1] / 2 + 1e-9);
  });

  it('gives a channel of zeros a positive scale and never uses -128', () => {
    const { values, scales } = quantizeWeightsPerChannel(new Float32Array([0, 0, -1, 1]), 2);
    expect([...scales]).toEqual([1, Math.fround(1 / 127)]);
    expect([...values]).toEqual([0, 0, -127, 127]);
    expect(() => quantizeWeightsPerChannel(new Float32Array(5), 2)).toThrow(RangeError);
  });

  it('quantises biases to int32 at s_x * s_w', () => {
    const { values, scales } = quantizeBias(
      new Float32Array([0.5, -0.25, 1e6]),
      0.5,
      new Float32Array([0.01, 0.001, 1e-9]),
    );
    expect(scales[0]).toBeCloseTo(0.005, 9);
    expect(values[0]).toBe(100);
    expect(values[1]).toBe(-500);
    expect(values[2]).toBe(2 ** 31 - 1); // clamped, not wrapped
    expect(() => quantizeBias(new Float32Array(2), 1, new Float32Array(3))).toThrow(/2 biases but 3 weight scales/);
  });

  it('maps an activation range [0, max] onto uint8 with zero point 0', () => {
    expect(activationScale(255)).toBe(1);
    expect(activationScale(1)).toBe(Math.fround(1 / 255));
    expect(activationScale(0)).toBe(Math.fround(1 / 255)); // a dead tensor still gets a valid scale
    expect(() => activationScale(-1)).toThrow(RangeError);
    expect(() => activationScale(Infinity)).toThrow(RangeError);
  });

  it('parses and prints the calibration statistic', () => {
    expect(parseActivationStatistic('max')).toEqual({ kind: 'max' });
    expect(parseActivationStatistic('p99.99')).toEqual({ kind: 'percentile', percentile: 99.99 });
    expect(formatActivationStatistic(parseActivationStatistic('p99.9'))).toBe('p99.9');
    for (const bad of ['p100', 'p0', '99.9', 'mean', 'p', 'p-1'])
      expect(() => parseActivationStatistic(bad), bad).toThrow(/"max" or "pNN.NN"/);
  });
});

describe('ActivationRange', () => {
  it('keeps the maximum over batches', () => {
    const r = new ActivationRange({ kind: 'max' });
    r.add(new Float32Array([0, 1, 2]));
    r.add(new Float32Array([7, 0]));
    r.add(new Float32Array([3]));
    expect(r.value()).toBe(7);
    expect(() => new ActivationRange({ kind: 'max' }).value()).toThrow(/no calibration values/);
    expect(() => r.add(new Float32Array([NaN, Infinity]))).toThrow(/non-finite/);
  });

  it('finds a percentile within one histogram bin while the range grows batch by batch', () => {
    const random = seededRandom(3);
    // ReLU-like: half zeros, the rest exponential, in batches whose maximum keeps rising (forces bin merges)
    const batches = [0.5, 1, 4, 9, 30].map((scale) =>
      Float32Array.from({ length: 20_000 }, () => (random() < 0.5 ? 0 : -Math.log(1 - random()) * scale)),
    );
    const all = Float32Array.from(batches.flatMap((b) => [...b])).sort();
    for (const p of [50, 99, 99.99]) {
      const r = new ActivationRange({ kind: 'percentile', percentile: p });
      for (const b of batches) r.add(b);
      const exact = all[Math.ceil((p / 100) * all.length) - 1];
      const binWidth = all[all.length - 1] / (RANGE_HISTOGRAM_BINS / 2); // the top is at most 2x the maximum
      expect(Math.abs(r.value() - exact), `p${p}`).toBeLessThanOrEqual(binWidth);
      expect(r.value()).toBeLessThanOrEqual(all[all.length - 1]);
    }
  });

  it('handles batches of zeros before the first positive value', () => {
    const r = new ActivationRange({ kind: 'percentile', percentile: 90 });
    r.add(new Float32Array(90));
    expect(r.value()).toBe(0);
    r.add(Float32Array.from({ length: 10 }, (_, i) => i + 1));
    expect(r.value()).toBeLessThanOrEqual(10 / RANGE_HISTOGRAM_BINS + 1e-9); // 90% of the values are 0
  });
});
