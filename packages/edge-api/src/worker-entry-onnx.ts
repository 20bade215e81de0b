import { loadOnnxEdgeClassifier } from './onnx-classifier.ts';
import { createInt8EdgeWorker } from './worker-entry-int8.ts';
import type { EdgeWorker } from './worker-handler.ts';

export interface OnnxEdgeWorkerModules {
  /** onnxruntime-web's ort-wasm-simd-threaded.wasm, precompiled by the Workers runtime */
  readonly ortWasm: WebAssembly.Module;
  /** the calibrated int8 ONNX model (`nin export-onnx --int8`) */
  readonly model: ArrayBuffer;
}

/** The int8 engine's Workers handler (EDGE_ENGINE=onnxruntime-int8): onnxruntime-web, wasm SIMD, one thread. */
export function createOnnxEdgeWorker(modules: OnnxEdgeWorkerModules): EdgeWorker {
  return createInt8EdgeWorker('onnxruntime-int8', (settings) =>
    loadOnnxEdgeClassifier({ wasm: modules.ortWasm, model: new Uint8Array(modules.model), ...settings }),
  );
}
