import { BackendRegistry, createWasmBackend } from '@nin-bench/core-nin/backends';
import { loadEdgeClassifier } from './classifier.ts';
import { EDGE_LIMITS } from './limits.ts';
import { WORKER_DECODER_WASM } from './worker-decoders.ts';
import { WORKER_PEAK_PROBE_WASM } from './worker-peak-probe.ts';
import { createWorkerHandler, type EdgeWorker } from './worker-handler.ts';

export type { EdgeEnv } from './worker-handler.ts';

export interface EdgeWorkerModules {
  /** tfjs-backend-wasm-simd.wasm, precompiled by the Workers runtime (compiling wasm from bytes is forbidden there) */
  readonly simd: WebAssembly.Module;
  /** the NiN safetensors file */
  readonly weights: ArrayBuffer;
}

/** The tfjs engine's Workers handler (EDGE_ENGINE=tfjs): tfjs-backend-wasm's SIMD binary as the backend. */
export function createEdgeWorker(modules: EdgeWorkerModules): EdgeWorker {
  return createWorkerHandler(
    'tfjs',
    (env) =>
      loadEdgeClassifier({
        registry: new BackendRegistry([createWasmBackend({ kind: 'modules', modules: { simd: modules.simd } })]),
        backend: 'wasm:simd',
        weights: new Uint8Array(modules.weights),
        expectedPrecision: env.WEIGHT_PRECISION,
        expectedInputSize: env.INPUT_SIZE === undefined ? undefined : Number(env.INPUT_SIZE),
        forwardBatch: EDGE_LIMITS.forwardBatch,
      }),
    WORKER_DECODER_WASM,
    WORKER_PEAK_PROBE_WASM,
  );
}
