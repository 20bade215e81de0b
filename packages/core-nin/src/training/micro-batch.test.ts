import { describe, expect, it } from 'vitest';
import { effectiveMicroBatch, largestActivationBytes, microBatchFor } from './micro-batch.ts';

describe('micro-batches under the WebGPU storage-binding limit', () => {
  it("knows NiN-224's largest activation: the first conv's 96 x 54 x 54 float32 map", () => {
    expect(largestActivationBytes(224)).toBe(96 * 54 * 54 * 4);
  });

  it("splits batch 128 at 224 under lavapipe's 128 MiB and keeps it whole under an H100's 2 GiB", () => {
    expect(microBatchFor(128, 224, 134_217_728)).toBe(64);
    expect(microBatchFor(128, 224, 2_147_483_644)).toBe(128);
    // no limit reported: no split
    expect(microBatchFor(128, 224, 0)).toBe(128);
    // a limit below one image's activation still runs, one image at a time
    expect(microBatchFor(128, 224, 1000)).toBe(1);
  });

  it("keeps the recipe's micro-batch when it fits, and lowers it (or the whole batch) when it does not", () => {
    const lavapipe = 134_217_728;
    // recipe 0 (whole batch): 64 where the binding needs it, else 0 (unchanged)
    expect(effectiveMicroBatch(0, 128, 224, lavapipe)).toBe(64);
    expect(effectiveMicroBatch(0, 128, 224, 0)).toBe(0);
    expect(effectiveMicroBatch(0, 128, 96, lavapipe)).toBe(0);
    // a recipe's smaller micro-batch stays; a larger one is lowered
    expect(effectiveMicroBatch(16, 128, 224, lavapipe)).toBe(16);
    expect(effectiveMicroBatch(100, 128, 224, lavapipe)).toBe(64);
    expect(effectiveMicroBatch(100, 128, 224, 0)).toBe(100);
  });
});
