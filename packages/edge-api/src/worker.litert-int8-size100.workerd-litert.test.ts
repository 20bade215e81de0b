// Inside workerd: the default build, the LiteRT.js engine's Worker entry at 100 px (src/worker.litert-int8-size100.ts
// via wrangler.toml's top level), with LiteRT's relaxed-SIMD wasm as the module workerd compiled, its glue as the
// ES-module copy, and the int8 .tflite model bundled, called through `exports.default.fetch` in the same isolate.
// The tests every build passes are test/worker-build-tests.ts and test/fresh-worker-tests.ts.
import { describe } from 'vitest';
import { workerBuildTests } from '../test/worker-build-tests.ts';
import { bundled } from './worker.litert-int8-size100.ts';
import { createLiteRtEdgeWorker } from './worker-entry-litert.ts';

describe('the LiteRT.js int8 Worker (100 px) inside workerd', () => {
  workerBuildTests({
    servesOn: "LiteRT.js's relaxed-SIMD build (pinned: LiteRT's own check would pick compat here), one thread,",
    engine: {
      name: 'litert-int8',
      modelFormat: 'tflite',
      runtime: /^LiteRT\.js \d+\.\d+\.\d+ wasm \(XNNPACK, relaxed SIMD, relaxed build, 1 thread\)$/,
    },
    backend: 'litert:relaxed',
    backendDetails: { build: 'relaxed', threads: 1 },
    inputSize: 100,
    weightPrecision: 'int8',
    bundledModel: bundled.model,
    batchLogitsExact: true,
    sequentialRequests: 100,
    maxHeapBytes: 96 * 2 ** 20,
    freshWorker: {
      create: () => createLiteRtEdgeWorker(bundled),
      env: { EDGE_ENGINE: 'litert-int8', INPUT_SIZE: '100' },
      refusals: [
        [{ EDGE_ENGINE: 'onnxruntime-int8' }, /EDGE_ENGINE is onnxruntime-int8 but this Worker entry runs litert-int8/],
        [{ INPUT_SIZE: '224' }, /INPUT_SIZE is 224 but the bundled \.tflite model is for 100 px/],
        [
          { WEIGHT_PRECISION: 'float32' },
          /WEIGHT_PRECISION is float32 but the litert-int8 engine serves the int8 model/,
        ],
      ],
    },
  });
});
