import { BackendRegistry, createWasmBackend } from '@nin-bench/core-nin/backends';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { loadEdgeClassifier } from './classifier.ts';
import { lazyClassifier } from './lazy.ts';
import { EDGE_LIMITS } from './limits.ts';

/** `[vars]` from wrangler.toml. */
export interface EdgeEnv {
  /** int8 | float16 | float32: what the bundled weights must be (checked against their manifest) */
  readonly WEIGHT_PRECISION?: string;
  /** 224 | 96: the input size the bundled weights must be for */
  readonly INPUT_SIZE?: string;
}

export interface EdgeWorkerModules {
  /** tfjs-backend-wasm-simd.wasm, precompiled by the Workers runtime (compiling wasm from bytes is forbidden there) */
  readonly simd: WebAssembly.Module;
  /** the NiN safetensors file */
  readonly weights: ArrayBuffer;
}

/**
 * The Workers handler: one app and one classifier per isolate, created on the first request (the global scope
 * may not do async work), with tfjs-backend-wasm's SIMD binary as the backend.
 */
export function createEdgeWorker(modules: EdgeWorkerModules): { fetch(request: Request, env: EdgeEnv, ctx?: unknown): Response | Promise<Response> } {
  let app: Hono | undefined;
  return {
    fetch(request, env, ctx) {
      app ??= createApp({
        classifier: lazyClassifier(() =>
          loadEdgeClassifier({
            registry: new BackendRegistry([createWasmBackend({ kind: 'modules', modules: { simd: modules.simd } })]),
            backend: 'wasm:simd',
            weights: new Uint8Array(modules.weights),
            expectedPrecision: env.WEIGHT_PRECISION,
            expectedInputSize: env.INPUT_SIZE === undefined ? undefined : Number(env.INPUT_SIZE),
            forwardBatch: EDGE_LIMITS.forwardBatch,
          }),
        ),
      });
      return app.fetch(request, env, ctx as never);
    },
  };
}
