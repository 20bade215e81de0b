import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { NinClassifier } from './classifier.ts';
import { initialNinWeights } from './nin.ts';
import { hwioToOihw } from '../weights/state-dict.ts';
import { NIN_TENSORS } from './architecture.ts';

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
      if (spec.startsWith('wasm')) expect(info.details.binary).toBe(spec === 'wasm:simd' ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
    }
    expect(results.cpu).toHaveLength(20);
    for (const spec of ['wasm:simd', 'wasm:plain']) {
      const diff = Math.max(...results[spec].map((v, i) => Math.abs(v - results.cpu[i])));
      expect(diff).toBeLessThan(1e-4);
    }
  });
});
