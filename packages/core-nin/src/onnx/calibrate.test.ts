import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS } from '../data/preprocess.ts';
import { calibrateNin, type ActivationRunner, type CalibrationImages } from './calibrate.ts';
import { ninActivationNames } from './export.ts';

const names = ninActivationNames();

function images(count: number): CalibrationImages {
  return {
    split: 'train',
    images: new Uint8Array(count * FASHION_MNIST_PIXELS).fill(255),
    count,
    description: `${count} made-up images`,
  };
}

/** A fake engine: activation k of batch b is [0, (k + 1) * (b + 1)], so the maxima are known. */
function fakeRunner(calls: number[]): ActivationRunner {
  return async (input, count) => {
    calls.push(count);
    const b = calls.length - 1;
    expect(input.length).toBe(count * 67 * 67);
    return Object.fromEntries(names.map((name, k) => [name, new Float32Array([0, (k + 1) * (b + 1)])]));
  };
}

describe('calibrateNin', () => {
  it('turns the maximum of each activation over all batches into a uint8 scale (max / 255) and records how', async () => {
    const calls: number[] = [];
    const { quantization, record } = await calibrateNin({
      images: images(10),
      inputSize: 67,
      statistic: { kind: 'max' },
      run: fakeRunner(calls),
      batch: 4,
    });
    expect(calls).toEqual([4, 4, 2]);
    expect(names).toHaveLength(12);
    names.forEach((name, k) => {
      expect(record.ranges[name]).toBe((k + 1) * 3);
      expect(quantization.activationScales[name]).toBe(Math.fround(((k + 1) * 3) / 255));
    });
    expect(record).toMatchObject({
      split: 'train',
      images: 10,
      description: '10 made-up images',
      statistic: 'max',
      inputSize: 67,
    });
  });

  it('refuses anything but training images, and an engine that leaves an activation out', async () => {
    const test = { ...images(2), split: 'test' } as unknown as CalibrationImages;
    await expect(
      calibrateNin({ images: test, inputSize: 67, statistic: { kind: 'max' }, run: fakeRunner([]) }),
    ).rejects.toThrow(/training images only, got the "test" split/);
    const partial: ActivationRunner = async () => ({ [names[0]]: new Float32Array(1) });
    await expect(
      calibrateNin({ images: images(2), inputSize: 67, statistic: { kind: 'max' }, run: partial }),
    ).rejects.toThrow(`did not return activation ${names[1]}`);
    await expect(
      calibrateNin({ images: images(0), inputSize: 67, statistic: { kind: 'max' }, run: fakeRunner([]) }),
    ).rejects.toThrow(/at least one image/);
  });
});
