// The `classify` every edge engine serves (tfjs, onnxruntime-web, LiteRT.js) around its own forward pass. Worker-safe
// and tfjs-free: only the core's data and model subpaths, so an int8 engine's bundle stays free of tfjs.
import { FASHION_MNIST_PIXELS, preprocessImages } from '@nin-bench/core-nin/data';
import { NUM_CLASSES } from '@nin-bench/core-nin/model/architecture';
import { predictionFromLogits } from '@nin-bench/core-nin/model/prediction';
import type { EdgeClassifier } from './classifier.ts';

/** Logits `[count, 10]` of `count` preprocessed images laid end to end. */
export type Forward = (input: Float32Array, count: number) => Promise<Float32Array>;

/**
 * An EdgeClassifier's `classify` on `forward`: checks the byte count, preprocesses the 28x28 images with the core's
 * resize to `inputSize`, and answers each image's prediction, top-k and logits with the time each step took.
 */
export function classifyEach(
  forward: Forward,
  inputSize: number,
  now: () => number = () => performance.now(),
): EdgeClassifier['classify'] {
  return async (images, count, topK) => {
    if (images.length !== count * FASHION_MNIST_PIXELS)
      throw new RangeError(`expected ${count} 28x28 images, got ${images.length} bytes`);
    const t0 = now();
    const input = preprocessImages(images, inputSize);
    const t1 = now();
    const logits = await forward(input, count);
    const t2 = now();
    const predictions = Array.from({ length: count }, (_, i) => {
      const row = logits.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      return { ...predictionFromLogits(row, topK), logits: Array.from(row) };
    });
    return { predictions, timing: { preprocessMs: t1 - t0, inferenceMs: t2 - t1 } };
  };
}
