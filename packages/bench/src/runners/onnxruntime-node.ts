import { createOrtRunner } from './onnxruntime-runner.ts';
import type { CreateRunner } from './runner.ts';

/**
 * onnxruntime-node: Microsoft's native ONNX Runtime (MLAS kernels) on the CPU, the engine a Node user would pick
 * instead of tfjs. `options.threads` sets the intra-op thread pool (default: all cores).
 */
export const createRunner: CreateRunner = (task) =>
  createOrtRunner(task, {
    name: 'onnxruntime-node',
    load: () => import('onnxruntime-node'),
    setUp: (ort, threads) => ({
      version: ort.env.versions.node ?? 'unknown',
      details: { executionProvider: 'cpu', intraOpThreads: threads, graphOptimization: 'all' },
    }),
    sessionOptions: (threads) => ({
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    }),
  });
