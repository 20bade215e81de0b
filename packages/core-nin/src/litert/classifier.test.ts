import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NinClassifier } from '../model/classifier.ts';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { loadLiteRtNode } from '../node/litert.ts';
import { encodeNinTflite } from '../tflite/index.ts';
import { WeightsError } from '../weights/errors.ts';
import {
  maxAbsDiff,
  randomImages,
  signalPreservingStateDict,
  withTransposedKernel,
} from '../../test/parity/fixtures.ts';
import { loadLiteRtClassifier } from './classifier.ts';
import type { LiteRtRuntime } from './runtime.ts';

const TOLERANCE = 1e-4;
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
      const reference = NinClassifier.fromStateDict(stateDict, size);
      const expected = await reference.logits(images, IMAGES);
      reference.dispose();

      const model = await loadLiteRtClassifier(runtime, encodeNinTflite(stateDict, { inputSize: size }));
      expect(model).toMatchObject({ inputSize: size, modelBatch: 1, numClasses: 10 });
      const logits = await model.logits(images, IMAGES);
      model.dispose();
      const diff = maxAbsDiff(logits, expected);
      console.log(
        `[litert] ${size} px, ${IMAGES} images, ${runtime.build} build: max |logit difference| vs tfjs cpu = ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(TOLERANCE);

      // the check can fail: one kernel with H and W swapped is far off
      const wrong = await loadLiteRtClassifier(
        runtime,
        encodeNinTflite(withTransposedKernel(stateDict, '0.0.weight'), { inputSize: size }),
      );
      expect(maxAbsDiff(await wrong.logits(images, IMAGES), expected)).toBeGreaterThan(1e-2);
      wrong.dispose();
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
