// Every engine's classify over its forward pass, on a made-up pass: each image answered, timings apart, bytes checked.
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS } from '@nin-bench/core-nin/data';
import { NUM_CLASSES } from '@nin-bench/core-nin/model/architecture';
import { classifyEach } from './classify-each.ts';
import { firstPixelPass } from './forward.fixtures.ts';

describe('classifyEach', () => {
  const inputSize = 4;
  const pass = firstPixelPass(inputSize);

  it('answers each image with its own logits and times preprocessing and inference apart', async () => {
    let clock = 0;
    const classify = classifyEach(pass, inputSize, () => (clock += 10));
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
    const classify = classifyEach(pass, inputSize, () => 0);
    await expect(classify(new Uint8Array(10), 1, 1)).rejects.toThrow(/^expected 1 28x28 images, got 10 bytes$/);
  });
});
