// The exported `.tflite` models run by LiteRT.js itself (the core's loader, XNNPACK in wasm, one thread): float32
// against our tfjs cpu forward, int8 against float32 on real Fashion-MNIST test images with the real weights.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import type { LiteRtRuntime } from '../litert/index.ts';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { DEFAULT_CALIBRATION_IMAGES, calibrateNinWeights, trainingCalibrationImages } from '../node/int8-onnx.ts';
import { loadLiteRtNode } from '../node/litert.ts';
import { readNinWeightsFile } from '../node/weights-file.ts';
import { parseActivationStatistic } from '../quantize/int8.ts';
import { randomImages, signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { liteRtLogits, liteRtVsTfjs, top1 } from '../../test/fixtures/litert.ts';
import { encodeNinTflite } from './export.ts';

const TOLERANCE = 1e-4;
const SIZE = 100;
const WEIGHTS = fileURLToPath(new URL(`../../weights/nin-fmnist-${SIZE}.safetensors`, import.meta.url));
/** test images the int8 model is held to (the bar: 1,000) */
const COMPARED = 1000;

let runtime: LiteRtRuntime;

beforeAll(async () => {
  runtime = await loadLiteRtNode();
  await createNodeBackendRegistry().activate('cpu');
});
afterAll(() => runtime?.dispose());

describe('the .tflite models under LiteRT.js', () => {
  it(`float32 gives our tfjs cpu forward's logits within ${TOLERANCE}, and a transposed kernel does not`, async () => {
    const { stateDict } = await readNinWeightsFile(WEIGHTS);
    const test = await loadFashionMnist('test', { download: false });
    const n = 16;
    const cases = [
      {
        what: `the committed ${SIZE} px weights, test images`,
        sd: stateDict,
        size: SIZE,
        input: preprocessImages(test.images.subarray(0, n * FASHION_MNIST_PIXELS), SIZE),
      },
      // He-scaled weights keep the signal through all twelve convs: a layout bug moves the logits by ~0.1
      {
        what: 'random weights, random images',
        sd: signalPreservingStateDict(9),
        size: 67,
        input: randomImages(4, n, 67),
      },
    ];
    for (const { what, sd, size, input } of cases) {
      const { diff, transposedDiff } = await liteRtVsTfjs(runtime, sd, size, input, n, '2.0.weight');
      console.log(
        `[tflite] ${what}, ${size} px, ${n} images: LiteRT.js ${runtime.version} (${runtime.build}) vs tfjs cpu ` +
          `max |logit difference| ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(TOLERANCE);
      expect(transposedDiff).toBeGreaterThan(100 * TOLERANCE);
    }
  });

  it(`int8, calibrated on training images, is within 0.3 points of float32 and agrees on >= 99% of ${COMPARED} test images`, async () => {
    const { stateDict, manifest } = await readNinWeightsFile(WEIGHTS);
    const calibration = await calibrateNinWeights({
      stateDict,
      manifest,
      inputSize: SIZE,
      images: await trainingCalibrationImages(DEFAULT_CALIBRATION_IMAGES),
      statistic: parseActivationStatistic('max'),
    });
    const test = await loadFashionMnist('test', { download: false });
    const input = preprocessImages(test.images.subarray(0, COMPARED * FASHION_MNIST_PIXELS), SIZE);
    const int8 = encodeNinTflite(stateDict, { inputSize: SIZE, quantization: calibration.quantization });
    const float = top1(await liteRtLogits(runtime, encodeNinTflite(stateDict, { inputSize: SIZE }), input, COMPARED));
    const quantized = top1(await liteRtLogits(runtime, int8, input, COMPARED));
    const correct = (top: number[]) => top.filter((c, i) => c === test.labels[i]).length;
    const accuracy = (top: number[]) => correct(top) / COMPARED;
    const same = quantized.filter((c, i) => c === float[i]).length / COMPARED;
    console.log(
      `[tflite] ${SIZE} px, first ${COMPARED} test images, LiteRT.js ${runtime.build}: ` +
        `float32 ${accuracy(float)}, int8 ${accuracy(quantized)}, same top-1 ${same}`,
    );
    // 0.3 points of 1,000 images: 3 images (counted, so no rounding decides)
    expect(Math.abs(correct(quantized) - correct(float))).toBeLessThanOrEqual(Math.round(0.003 * COMPARED));
    expect(same).toBeGreaterThanOrEqual(0.99);
    // the bar can be missed: the same model with every activation's range halved (clipping) falls below it
    const clipped = Object.fromEntries(
      Object.entries(calibration.quantization.activationScales).map(([k, s]) => [k, s / 2]),
    );
    const bad = top1(
      await liteRtLogits(
        runtime,
        encodeNinTflite(stateDict, { inputSize: SIZE, quantization: { activationScales: clipped } }),
        input,
        COMPARED,
      ),
    );
    expect(bad.filter((c, i) => c === float[i]).length / COMPARED).toBeLessThan(0.99);
  });
});
