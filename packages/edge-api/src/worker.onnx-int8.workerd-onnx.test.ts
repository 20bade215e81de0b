// Inside workerd: the int8 engine's Worker entry (src/worker.onnx-int8.ts via wrangler.toml's `onnx-int8` env), with
// onnxruntime-web's wasm as the module workerd compiled and the int8 ONNX model bundled, called through
// `exports.default.fetch` in the same isolate. The tests every build passes are test/worker-build-tests.ts and
// test/fresh-worker-tests.ts.
import * as ort from 'onnxruntime-web/wasm';
import { describe, vi } from 'vitest';
import { workerBuildTests } from '../test/worker-build-tests.ts';
import { bundled } from './worker.onnx-int8.ts';
import { createOnnxEdgeWorker } from './worker-entry-onnx.ts';

describe('the int8 Worker inside workerd', () => {
  workerBuildTests({
    servesOn: 'onnxruntime-web wasm (SIMD, one thread)',
    engine: {
      name: 'onnxruntime-int8',
      modelFormat: 'onnx',
      runtime: /^onnxruntime-web 1\.\d+\.\d+ wasm \(SIMD, 1 thread\)$/,
    },
    backend: 'onnxruntime-web:wasm',
    backendDetails: { threads: 1 },
    inputSize: 224,
    weightPrecision: 'int8',
    bundledModel: bundled.model,
    // the accuracy `nin eval --onnx --record` wrote into the model
    minTestAccuracy: 0.85,
    batchLogitsExact: true,
    sequentialRequests: 100,
    maxHeapBytes: 96 * 2 ** 20,
    freshWorker: {
      create: () => createOnnxEdgeWorker(bundled),
      env: { EDGE_ENGINE: 'onnxruntime-int8', INPUT_SIZE: '224' },
      spyOnLoad: () => [vi.spyOn(ort.InferenceSession, 'create')],
      refusals: [
        [{ EDGE_ENGINE: 'tfjs' }, /EDGE_ENGINE is tfjs but this Worker entry runs onnxruntime-int8/],
        [{ INPUT_SIZE: '100' }, /INPUT_SIZE is 100 but the bundled ONNX model is for 224 px/],
      ],
    },
  });
});
