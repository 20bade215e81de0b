import { EDGE_LIMITS } from './limits.ts';
import { loadOnnxEdgeClassifier } from './onnx-classifier.ts';
import { WORKER_DECODER_WASM } from './worker-decoders.ts';
import { WORKER_PEAK_PROBE_WASM } from './worker-peak-probe.ts';
import { createWorkerHandler, type EdgeWorker } from './worker-handler.ts';

export interface OnnxEdgeWorkerModules {
  /** onnxruntime-web's ort-wasm-simd-threaded.wasm, precompiled by the Workers runtime */
  readonly ortWasm: WebAssembly.Module;
  /** the calibrated int8 ONNX model (`nin export-onnx --int8`) */
  readonly model: ArrayBuffer;
}

/** The int8 engine's Workers handler (EDGE_ENGINE=onnxruntime-int8): onnxruntime-web, wasm SIMD, one thread. */
export function createOnnxEdgeWorker(modules: OnnxEdgeWorkerModules): EdgeWorker {
  return createWorkerHandler(
    'onnxruntime-int8',
    (env) => {
      if (env.WEIGHT_PRECISION !== undefined && env.WEIGHT_PRECISION !== 'int8')
        throw new Error(
          `WEIGHT_PRECISION is ${env.WEIGHT_PRECISION} but the onnxruntime-int8 engine serves the int8 model`,
        );
      return loadOnnxEdgeClassifier({
        wasm: modules.ortWasm,
        model: new Uint8Array(modules.model),
        expectedInputSize: env.INPUT_SIZE === undefined ? undefined : Number(env.INPUT_SIZE),
        forwardBatch: EDGE_LIMITS.forwardBatch,
      });
    },
    WORKER_DECODER_WASM,
    WORKER_PEAK_PROBE_WASM,
  );
}
