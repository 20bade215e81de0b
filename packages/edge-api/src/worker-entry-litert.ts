import type { LiteRtGlue } from '@nin-bench/core-nin/litert';
import { loadLiteRtEdgeClassifier } from './litert-classifier.ts';
import { createInt8EdgeWorker } from './worker-entry-int8.ts';
import type { EdgeWorker } from './worker-handler.ts';

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
  return createInt8EdgeWorker('litert-int8', (settings) =>
    loadLiteRtEdgeClassifier({
      glue: modules.glue,
      wasm: modules.wasm,
      build: 'relaxed',
      model: new Uint8Array(modules.model),
      ...settings,
    }),
  );
}
