import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { INT8_MODEL, onnxSessionModel } from './onnx-session.ts';
import type { CreateRunner } from './runner.ts';

/**
 * onnxruntime-node: Microsoft's native ONNX Runtime (MLAS kernels) on the CPU, the engine a Node user would pick
 * instead of tfjs. `options.threads` sets the intra-op thread pool (default: all cores).
 */
export const createRunner: CreateRunner = (task) => {
  const threads = Number(task.options.threads ?? availableParallelism());
  let ort: typeof import('onnxruntime-node');
  return {
    async init() {
      ort = await import('onnxruntime-node');
      return {
        engine: 'onnxruntime-node',
        version: ort.env.versions.node ?? 'unknown',
        details: {
          executionProvider: 'cpu',
          intraOpThreads: threads,
          graphOptimization: 'all',
          ...(task.model === 'onnx-int8' ? { model: INT8_MODEL } : {}),
        },
      };
    },
    async load() {
      const session = await ort.InferenceSession.create(new Uint8Array(await readFile(task.modelPath)), {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      return onnxSessionModel(ort, session, task.size);
    },
  };
};
