// A made-up forward pass for the tests of what wraps an engine's pass (classifyEach, forwardInBatches).
import { NUM_CLASSES } from '@nin-bench/core-nin/model/architecture';
import type { Forward } from './classify-each.ts';

/**
 * Logits that say which image a row came from: its first pixel, as every class's score. Each call's image count is
 * pushed to `passes`, when given.
 */
export function firstPixelPass(inputSize: number, passes?: number[]): Forward {
  return async (input, count) => {
    passes?.push(count);
    const logits = new Float32Array(count * NUM_CLASSES);
    for (let i = 0; i < count; i++)
      logits.fill(input[i * inputSize * inputSize], i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    return logits;
  };
}
