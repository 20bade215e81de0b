import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parameterCount } from '@nin-bench/core-nin';
import { createNodeBackendRegistry } from '@nin-bench/core-nin/node';
import { loadEdgeClassifier, type EdgeClassifier } from './classifier.ts';
import { edgeBuild, ensureEdgeWeights } from './node/edge-weights.ts';
import { syntheticImage } from '../test/requests.ts';
import { EDGE_LIMITS } from './limits.ts';

// The classifier the Worker serves, built from the same core under Node (tfjs wasm SIMD, bytes instead of a module).
describe('loadEdgeClassifier on wasm:simd under Node', () => {
  let weights: Uint8Array;
  let classifier: EdgeClassifier;
  beforeAll(async () => {
    // the 224 px tfjs build's weights (env size224; the default build is the int8 engine's ONNX model)
    weights = new Uint8Array(await readFile(await ensureEdgeWeights(edgeBuild(224, 'int8', 'tfjs'))));
    classifier = await loadEdgeClassifier({
      registry: createNodeBackendRegistry(),
      backend: 'wasm:simd',
      weights,
      expectedPrecision: 'int8',
    });
  });

  it('describes the model from the weights manifest', () => {
    expect(classifier.backend).toMatchObject({
      spec: 'wasm:simd',
      simd: true,
      details: { binary: 'tfjs-backend-wasm-simd.wasm' },
    });
    expect(classifier.model).toMatchObject({
      parameterCount: parameterCount(),
      inputSize: 224,
      weightPrecision: 'int8',
      testAccuracy: expect.any(Number),
    });
    expect(classifier.model.sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    expect(classifier.model.architecture.layers.at(-1)).toMatchObject({ outChannels: 10 });
  });

  it('classifies a batch as it classifies each image alone, and leaves no tensor behind', async () => {
    const a = syntheticImage(1);
    const b = syntheticImage(3);
    const before = tf.memory().numTensors;
    const batch = await classifier.classify(new Uint8Array([...a, ...b]), 2, 10);
    const alone = await classifier.classify(b, 1, 10);
    expect(tf.memory().numTensors).toBe(before);
    expect(batch.predictions).toHaveLength(2);
    expect(batch.predictions[0].probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    batch.predictions[1].probabilities.forEach((p, i) =>
      expect(p).toBeCloseTo(alone.predictions[0].probabilities[i], 5),
    );
    expect(batch.predictions[1].top.map((t) => t.index)).toEqual(alone.predictions[0].top.map((t) => t.index));
    expect(batch.timing.inferenceMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses weights for another input size than INPUT_SIZE says', async () => {
    await expect(
      loadEdgeClassifier({
        registry: createNodeBackendRegistry(),
        backend: 'wasm:simd',
        weights,
        expectedInputSize: 96,
      }),
    ).rejects.toThrow(/INPUT_SIZE is 96 but the bundled weights are for 224 px/);
  });

  it('refuses weights of another precision than WEIGHT_PRECISION says, without leaking their tensors', async () => {
    const before = tf.memory().numTensors;
    await expect(
      loadEdgeClassifier({
        registry: createNodeBackendRegistry(),
        backend: 'wasm:simd',
        weights,
        expectedPrecision: 'float16',
      }),
    ).rejects.toThrow(/WEIGHT_PRECISION is float16 but the bundled weights are int8/);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('why the Worker runs a batch one image per pass: at 224 px one pass over 16 images takes the wasm memory past 128 MB', async () => {
    const sixteen = new Uint8Array(EDGE_LIMITS.maxBatch * 784);
    for (let i = 0; i < EDGE_LIMITS.maxBatch; i++) sixteen.set(syntheticImage(i + 1), i * 784);
    // Each load activates the backend afresh (a new wasm instance), so each starts from its own heap.
    const heapAfter = async (forwardBatch: number) => {
      const c = await loadEdgeClassifier({
        registry: createNodeBackendRegistry(),
        backend: 'wasm:simd',
        weights,
        forwardBatch,
      });
      await c.classify(sixteen, EDGE_LIMITS.maxBatch, 1);
      return c.wasmHeapBytes()!;
    };
    const onePerPass = await heapAfter(EDGE_LIMITS.forwardBatch);
    const allInOne = await heapAfter(EDGE_LIMITS.maxBatch);
    console.log(
      `wasm memory after a batch of ${EDGE_LIMITS.maxBatch} at 224 px: ` +
        `${(onePerPass / 2 ** 20).toFixed(0)} MiB one image per pass, ${(allInOne / 2 ** 20).toFixed(0)} MiB in one pass`,
    );
    expect(onePerPass).toBeLessThan(64 * 2 ** 20);
    expect(allInOne).toBeGreaterThan(128 * 2 ** 20);
  });
});
