// Every engine's classify over its forward pass, on a made-up pass: each image answered, timings apart, bytes checked.
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS } from '@nin-bench/core-nin/data';
import { NUM_CLASSES } from '@nin-bench/core-nin/model/architecture';
import { classifyEach } from './classify-each.ts';

describe('classifyEach', () => {
  const inputSize = 4;
  /** logits that say which image a row came from: its first pixel, as every class's score */
  const firstPixelPass = async (input: Float32Array, count: number) => {
    const logits = new Float32Array(count * NUM_CLASSES);
    for (let i = 0; i < count; i++)
      logits.fill(input[i * inputSize * inputSize], i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    return logits;
  };

  it('answers each image with its own logits and times preprocessing and inference apart', async () => {
    let clock = 0;
    const classify = classifyEach(firstPixelPass, inputSize, () => (clock += 10));
    const pixels = new Uint8Array(2 * FASHION_MNIST_PIXELS);
    pixels.fill(255, FASHION_MNIST_PIXELS); // the second image white, the first black
    const result = await classify(pixels, 2, 3);
    expect(result.predictions).toHaveLength(2);
    expect(result.predictions[0].logits).toHaveLength(NUM_CLASSES);
    expect(result.predictions[0].top).toHaveLength(3);
    expect(result.predictions[1].logits[0]).toBeGreaterThan(result.predictions[0].logits[0]);
    expect(result.timing).toEqual({ preprocessMs: 10, inferenceMs: 10 });
  });

  it('refuses bytes that are not the stated number of 28x28 images', async () => {
    const classify = classifyEach(firstPixelPass, inputSize, () => 0);
    await expect(classify(new Uint8Array(10), 1, 1)).rejects.toThrow(/^expected 1 28x28 images, got 10 bytes$/);
  });
});
