import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { INT8_MODEL, onnxSessionModel } from './onnx-session.ts';
import type { CreateRunner } from './runner.ts';

/**
 * onnxruntime-web's WebAssembly backend (the SIMD build, `ort-wasm-simd-threaded.wasm`), run under Node as a
 * browser would run it. `options.threads` sets `ort.env.wasm.numThreads`; above 1 its pthreads run on Node
 * worker threads sharing one WebAssembly memory (in a browser that needs cross-origin isolation).
 */
export const createRunner: CreateRunner = (task) => {
  const threads = Number(task.options.threads ?? availableParallelism());
  let ort: typeof import('onnxruntime-web');
  return {
    async init() {
      ort = await import('onnxruntime-web');
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.simd = true;
      return {
        engine: 'onnxruntime-web',
        version: ort.env.versions.web ?? 'unknown',
        details: {
          executionProvider: 'wasm',
          binary: 'ort-wasm-simd-threaded.wasm',
          simd: true,
          threads,
          ...(task.model === 'onnx-int8' ? { model: INT8_MODEL } : {}),
        },
      };
    },
    async load() {
      // The wasm runtime itself initialises on the first session: that is part of loading the model here.
      const session = await ort.InferenceSession.create(new Uint8Array(await readFile(task.modelPath)), {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      });
      if (ort.env.wasm.numThreads !== threads) {
        const reason = `onnxruntime-web fell back to ${ort.env.wasm.numThreads} thread(s): this runtime lacks WebAssembly threads (SharedArrayBuffer)`;
        throw new BackendUnavailableError(`onnxruntime-web ${threads} threads`, reason);
      }
      return onnxSessionModel(ort, session, task.size);
    },
  };
};
