import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { createOrtRunner } from './onnxruntime-runner.ts';
import type { CreateRunner } from './runner.ts';

/**
 * onnxruntime-web's WebAssembly backend (the SIMD build, `ort-wasm-simd-threaded.wasm`), run under Node as a
 * browser would run it. `options.threads` sets `ort.env.wasm.numThreads`; above 1 its pthreads run on Node
 * worker threads sharing one WebAssembly memory (in a browser that needs cross-origin isolation).
 */
export const createRunner: CreateRunner = (task) =>
  createOrtRunner(task, {
    name: 'onnxruntime-web',
    load: () => import('onnxruntime-web'),
    setUp: (ort, threads) => {
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.simd = true;
      return {
        version: ort.env.versions.web ?? 'unknown',
        details: { executionProvider: 'wasm', binary: 'ort-wasm-simd-threaded.wasm', simd: true, threads },
      };
    },
    // The wasm runtime itself initialises on the first session: that is part of loading the model here.
    sessionOptions: () => ({ executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
    check: (ort, threads) => {
      if (ort.env.wasm.numThreads === threads) return;
      const reason = `onnxruntime-web fell back to ${ort.env.wasm.numThreads} thread(s): this runtime lacks WebAssembly threads (SharedArrayBuffer)`;
      throw new BackendUnavailableError(`onnxruntime-web ${threads} threads`, reason);
    },
  });
