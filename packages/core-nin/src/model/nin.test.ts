import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { NinClassifier } from './classifier.ts';
import { initialNinWeights } from './nin.ts';
import { hwioToOihw } from '../weights/state-dict.ts';
import { NIN_TENSORS } from './architecture.ts';
import { wasmHeapBytes } from '../backends/wasm.ts';

function randomStateDict(seed: number) {
  const init = initialNinWeights(seed);
  return new Map(
    NIN_TENSORS.map((s) => {
      const t = init.get(s.name)!;
      return [s.name, { shape: s.shape, data: s.shape.length === 4 ? hwioToOihw(t.data, s.shape) : t.data }];
    }),
  );
}

describe('NiN forward', () => {
  const registry = createNodeBackendRegistry();
  it('gives the same logits on cpu, wasm:simd and wasm:plain, without leaking tensors', async () => {
    const sd = randomStateDict(1);
    const size = 96;
    const input = Float32Array.from({ length: 2 * size * size }, (_, i) => ((i * 7919) % 255) / 255);
    const results: Record<string, Float32Array> = {};
    for (const spec of ['cpu', 'wasm:simd', 'wasm:plain']) {
      const info = await registry.activate(spec);
      const clf = NinClassifier.fromStateDict(sd, size);
      const before = tf.memory().numTensors;
      results[spec] = await clf.logits(input, 2);
      expect(tf.memory().numTensors).toBe(before);
      clf.dispose();
      if (spec.startsWith('wasm'))
        expect(info.details.binary).toBe(
          spec === 'wasm:simd' ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm',
        );
    }
    expect(results.cpu).toHaveLength(20);
    for (const spec of ['wasm:simd', 'wasm:plain']) {
      const diff = Math.max(...results[spec].map((v, i) => Math.abs(v - results.cpu[i])));
      expect(diff).toBeLessThan(1e-4);
    }
  });

  it('runs a batch in chunks of maxBatch with the same logits, and a chunked batch does not grow the wasm heap', async () => {
    await registry.activate('wasm:simd');
    const size = 160;
    const clf = NinClassifier.fromStateDict(randomStateDict(2), size);
    try {
      const n = 5;
      const input = Float32Array.from({ length: n * size * size }, (_, i) => ((i * 104729) % 251) / 251);
      const one = await clf.logits(input.subarray(0, size * size), 1);
      const heapAfterOne = wasmHeapBytes()!;
      expect(heapAfterOne).toBeGreaterThan(0);
      // One image at a time: the heap stays where one image left it.
      const chunkedBy1 = await clf.logits(input, n, { maxBatch: 1 });
      expect(wasmHeapBytes()).toBe(heapAfterOne);
      const before = tf.memory().numTensors;
      const chunked = await clf.logits(input, n, { maxBatch: 2 }); // chunks of 2, 2, 1
      expect(tf.memory().numTensors).toBe(before);
      const heapAfterChunksOf2 = wasmHeapBytes()!;
      const whole = await clf.logits(input, n);
      expect(wasmHeapBytes()!).toBeGreaterThan(heapAfterChunksOf2); // the whole batch of 5 needed more
      expect(Array.from(chunked.subarray(0, 10))).toEqual(Array.from(one));
      const diff = Math.max(...whole.map((v, i) => Math.max(Math.abs(v - chunked[i]), Math.abs(v - chunkedBy1[i]))));
      expect(diff).toBeLessThan(1e-5);
      await expect(clf.logits(input, n, { maxBatch: 0 })).rejects.toThrow(/maxBatch must be a whole number >= 1/);
    } finally {
      clf.dispose();
    }
    await registry.activate('cpu');
    expect(wasmHeapBytes()).toBeNull();
  });
});
