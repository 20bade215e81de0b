// The int8 engines' classifier around a forward pass, on a made-up pass: batches bounded, rows in place.
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS } from '@nin-bench/core-nin/data';
import { NUM_CLASSES, parameterCount } from '@nin-bench/core-nin/model/architecture';
import { firstPixelPass } from './forward.fixtures.ts';
import { forwardInBatches, int8EdgeClassifier, int8ModelInfo } from './int8-classifier.ts';

describe('forwardInBatches', () => {
  const inputSize = 4;

  it('runs at most forwardBatch images a pass and keeps every row in its place', async () => {
    const passes: number[] = [];
    const forward = forwardInBatches(firstPixelPass(inputSize, passes), inputSize, 2);
    const input = new Float32Array(5 * inputSize * inputSize);
    for (let i = 0; i < 5; i++) input[i * inputSize * inputSize] = i + 1;
    const logits = await forward(input, 5);
    expect(passes).toEqual([2, 2, 1]);
    expect(Array.from({ length: 5 }, (_, i) => logits[i * NUM_CLASSES])).toEqual([1, 2, 3, 4, 5]);
    await forwardInBatches(firstPixelPass(inputSize, passes), inputSize, undefined)(input, 5);
    expect(passes.at(-1)).toBe(5);
  });
});

describe('int8ModelInfo', () => {
  it('describes the int8 NiN at the given size, with the sha256 of the file', async () => {
    const info = await int8ModelInfo(new TextEncoder().encode('abc'), 100, { manifest: null, testAccuracy: 0.9 });
    expect(info).toMatchObject({ inputSize: 100, weightPrecision: 'int8', testAccuracy: 0.9, manifest: null });
    expect(info.parameterCount).toBe(parameterCount());
    expect(info.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('int8EdgeClassifier', () => {
  it('runs one warm-up pass of one image, then serves the engine, backend and heap the engine gave', async () => {
    const passes: number[] = [];
    const classifier = await int8EdgeClassifier({
      file: new TextEncoder().encode('abc'),
      inputSize: 67,
      facts: { manifest: null, testAccuracy: null },
      pass: async (_input, count) => {
        passes.push(count);
        return new Float32Array(count * NUM_CLASSES);
      },
      forwardBatch: 1,
      engine: { name: 'litert-int8', runtime: 'test', compute: 'int8', modelFormat: 'tflite' },
      backend: { spec: 'test', simd: false, details: {} },
      wasmHeapBytes: () => 42,
    });
    expect(passes).toEqual([1]);
    expect(classifier.engine.name).toBe('litert-int8');
    expect(classifier.backend.spec).toBe('test');
    expect(classifier.wasmHeapBytes()).toBe(42);
    expect(classifier.model).toMatchObject({ inputSize: 67, weightPrecision: 'int8', testAccuracy: null });
    await classifier.classify(new Uint8Array(3 * FASHION_MNIST_PIXELS), 3, 1);
    expect(passes).toEqual([1, 1, 1, 1]);
  });
});
