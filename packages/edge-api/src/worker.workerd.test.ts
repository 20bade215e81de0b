// Inside workerd: the tfjs build's Worker entry (src/worker.ts via wrangler.toml's `size224` env), its precompiled
// wasm-SIMD module and bundled int8 weights (224 px model), called through `exports.default.fetch` in the same
// isolate, so tfjs's state is visible. The tests every build passes are test/worker-build-tests.ts.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasmHeapBytes } from '@nin-bench/core-nin';
import { workerBuildTests } from '../test/worker-build-tests.ts';
import { bundled } from './worker.ts';

describe('the Worker inside workerd', () => {
  workerBuildTests({
    servesOn: 'tfjs-backend-wasm with the SIMD binary',
    engine: { name: 'tfjs', modelFormat: 'safetensors', runtime: /^tfjs on wasm:simd \(1 thread\)$/ },
    backend: 'wasm:simd',
    backendDetails: { binary: 'tfjs-backend-wasm-simd.wasm', threads: 1 },
    inputSize: 224,
    weightPrecision: 'int8',
    bundledModel: bundled.weights,
    minTestAccuracy: 0.8,
    batchLogitsExact: false,
    sequentialRequests: 500,
    // The 224 px model at batch 1: weights (float32 once dequantised) and one image's activations; a batch runs one
    // image at a time.
    maxHeapBytes: 96 * 2 ** 20,
    isolateMemory: {
      what: 'tensors',
      read: () => ({ tensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes }),
    },
    heapInIsolate: wasmHeapBytes,
  });

  it('runs tfjs on its wasm backend in this isolate', () => {
    expect(tf.getBackend()).toBe('wasm');
  });
});
