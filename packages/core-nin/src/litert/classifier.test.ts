import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { loadLiteRtNode } from '../node/litert.ts';
import { encodeNinTflite } from '../tflite/index.ts';
import { WeightsError } from '../weights/errors.ts';
import { randomImages, signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { liteRtLogits, liteRtVsTfjs, top1 } from '../../test/fixtures/litert.ts';
import { loadLiteRtClassifier } from './classifier.ts';
import type { LiteRtRuntime } from './runtime.ts';

const TOLERANCE = 1e-4;
const WEIGHTS = new URL('../../weights/', import.meta.url);
const IMAGES = 3;
const stateDict = signalPreservingStateDict(11);

describe('loadLiteRtClassifier', () => {
  let runtime: LiteRtRuntime;
  beforeAll(async () => {
    runtime = await loadLiteRtNode();
    await createNodeBackendRegistry().activate('cpu');
  });
  afterAll(() => runtime.dispose());

  for (const size of [224, 100]) {
    it(`gives tfjs cpu's logits within ${TOLERANCE} for a float32 .tflite NiN at ${size} px`, async () => {
      const images = randomImages(size, IMAGES, size);
      // the check can fail: one kernel with H and W swapped is far off
      const parity = await liteRtVsTfjs(runtime, stateDict, size, images, IMAGES, '0.0.weight');
      const { diff, transposedDiff } = parity;
      expect(parity.shape).toEqual({ inputSize: size, modelBatch: 1, numClasses: 10 });
      console.log(
        `[litert] ${size} px, ${IMAGES} images, ${runtime.build} build: max |logit difference| vs tfjs cpu = ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(TOLERANCE);
      expect(transposedDiff).toBeGreaterThan(1e-2);
    });
  }

  it('runs each image on its own (batch 1): the logits of an image do not depend on its neighbours', async () => {
    const size = 67;
    const model = await loadLiteRtClassifier(runtime, encodeNinTflite(stateDict, { inputSize: size }));
    const images = randomImages(5, 4, size);
    const all = await model.logits(images, 4);
    const third = await model.logits(images.subarray(2 * size * size, 3 * size * size), 1);
    expect(all.subarray(20, 30)).toEqual(third);
    expect(await model.logits(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    await expect(model.logits(images, 3)).rejects.toThrow('expected 3x67x67x1 input values, got 17956');
    model.dispose();
    model.dispose(); // twice is harmless
    await expect(model.logits(images, 4)).rejects.toThrow('this LiteRT classifier has been disposed of');
  });

  it('refuses bytes LiteRT cannot read with a WeightsError, leaving the runtime usable', async () => {
    const bad = new TextEncoder().encode('not a flatbuffer, let alone a model');
    await expect(loadLiteRtClassifier(runtime, bad)).rejects.toThrow(
      new WeightsError('LiteRT cannot read this .tflite model (Failed to load model from buffer)'),
    );
    const model = await loadLiteRtClassifier(runtime, encodeNinTflite(stateDict, { inputSize: 67 }));
    expect((await model.logits(randomImages(1, 1, 67), 1)).length).toBe(10);
    model.dispose();
  });
});

describe('the committed 100 px int8 .tflite NiN on LiteRT', () => {
  const N = 1000;
  it(`is within 0.3 points of the float32 model on the first ${N} test images, the same top-1 on >= 99%`, async () => {
    const test = await loadFashionMnist('test', { download: false });
    const input = preprocessImages(test.images.subarray(0, N * FASHION_MNIST_PIXELS), 100);
    const runtime = await loadLiteRtNode();
    const tops: number[][] = [];
    for (const file of ['nin-fmnist-100.tflite', 'nin-fmnist-100.int8.tflite']) {
      const model = new Uint8Array(await readFile(new URL(file, WEIGHTS)));
      tops.push(top1(await liteRtLogits(runtime, model, input, N)));
    }
    runtime.dispose();
    // counts, not fractions: 0.3 points of 1,000 images is 3 images, exactly
    const [float32, int8] = tops.map((t) => t.filter((k, i) => k === test.labels[i]).length);
    const agreement = tops[0].filter((k, i) => k === tops[1][i]).length / N;
    console.log(
      `[litert] 100 px, first ${N} test images, ${runtime.build} build: float32 ${float32 / N}, int8 ${int8 / N}, same top-1 ${agreement}`,
    );
    expect(float32 / N).toBeGreaterThan(0.85); // the trained model: a wrong input layout would be near 0.1
    expect(Math.abs(int8 - float32)).toBeLessThanOrEqual((0.3 / 100) * N);
    expect(agreement).toBeGreaterThanOrEqual(0.99);
  });
});
