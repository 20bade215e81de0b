import { describe, expect, it } from 'vitest';
import { decodeSamples, encodeSamples } from './samples.ts';

describe('stored samples (float32 base64)', () => {
  it('round-trips durations to float32 precision, in order', () => {
    const ms = [0.000123, 0.348, 1.5, 54.059, 1876.622, 14184.173];
    const back = decodeSamples(encodeSamples(ms));
    expect(back).toHaveLength(ms.length);
    ms.forEach((v, i) => expect(Math.abs(back[i] - v) / v).toBeLessThan(1e-7));
    expect([...back]).toEqual([...new Float32Array(ms)]);
  });

  it('costs 16 characters per 3 samples (pretty-printed JSON numbers take ~18 each)', () => {
    expect(encodeSamples(new Array(3000).fill(1.234))).toHaveLength(16000);
    expect(encodeSamples([])).toBe('');
    expect(decodeSamples('')).toHaveLength(0);
  });

  it('is little-endian whatever the machine: 1.0 is 00 00 80 3f', () => {
    expect(encodeSamples([1])).toBe(Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
  });

  it('refuses text that is not whole float32 values in base64', () => {
    expect(() => decodeSamples('not base64!')).toThrow(RangeError);
    expect(() => decodeSamples(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(/3 bytes is not whole float32/);
  });
});
