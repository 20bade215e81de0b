import type { LiteRtGlue } from '@nin-bench/core-nin/litert';
import { EDGE_LIMITS } from './limits.ts';
import { loadLiteRtEdgeClassifier } from './litert-classifier.ts';
import { WORKER_DECODER_WASM } from './worker-decoders.ts';
import { WORKER_PEAK_PROBE_WASM } from './worker-peak-probe.ts';
import { createWorkerHandler, type EdgeWorker } from './worker-handler.ts';

export interface LiteRtEdgeWorkerModules {
  /** the relaxed-SIMD build's glue factory (the ES-module copy of `litert_wasm_internal.js`: src/node/litert-glue.ts) */
  readonly glue: LiteRtGlue;
  /** its `litert_wasm_internal.wasm`, precompiled by the Workers runtime */
  readonly wasm: WebAssembly.Module;
  /** the fully integer `.tflite` model (`nin export-tflite --int8`) */
  readonly model: ArrayBuffer;
}

/**
 * The LiteRT.js engine's Workers handler (EDGE_ENGINE=litert-int8): the relaxed-SIMD build pinned (workerd has
 * relaxed SIMD; LiteRT's own detection would compile from bytes, which Workers forbid), one thread.
 */
export function createLiteRtEdgeWorker(modules: LiteRtEdgeWorkerModules): EdgeWorker {
  return createWorkerHandler(
    'litert-int8',
    (env) => {
      if (env.WEIGHT_PRECISION !== undefined && env.WEIGHT_PRECISION !== 'int8')
        throw new Error(`WEIGHT_PRECISION is ${env.WEIGHT_PRECISION} but the litert-int8 engine serves the int8 model`);
      return loadLiteRtEdgeClassifier({
        glue: modules.glue,
        wasm: modules.wasm,
        build: 'relaxed',
        model: new Uint8Array(modules.model),
        expectedInputSize: env.INPUT_SIZE === undefined ? undefined : Number(env.INPUT_SIZE),
        forwardBatch: EDGE_LIMITS.forwardBatch,
      });
    },
    WORKER_DECODER_WASM,
    WORKER_PEAK_PROBE_WASM,
  );
}
