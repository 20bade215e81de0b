import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import {
  LITERT_BUILD_FILES,
  loadLiteRtClassifier,
  type LiteRtBuild,
  type LiteRtRuntime,
} from '@nin-bench/core-nin/litert';
import type { CreateRunner, ModelFormat } from './runner.ts';

/** How each .tflite model is described among a row's facts. */
export const TFLITE_MODEL_FACTS = {
  tflite: 'float32 .tflite (nin export-tflite)',
  'tflite-int8':
    'int8 .tflite (nin export-tflite --int8: QUANTIZE in, int8 per-channel weights and int8 activations, DEQUANTIZE out)',
} as const satisfies Partial<Record<ModelFormat, string>>;

/**
 * LiteRT.js (`@litertjs/core`: TFLite with XNNPACK in WebAssembly) under Node, on the `.tflite` model the harness
 * hands it (`task.modelPath`, float32 or int8), through the core's loader: one thread (Node gets LiteRT's
 * single-threaded builds), the relaxed-SIMD build where this Node has relaxed SIMD (22+), else compat, or the one
 * `options.build` pins. The row's facts say which build ran and the package's version.
 */
export const createRunner: CreateRunner = (task) => {
  const id = `litert ${task.model}`;
  let runtime: LiteRtRuntime;
  return {
    async init() {
      const threads = Number(task.options.threads ?? 1);
      if (threads !== 1)
        throw new BackendUnavailableError(id, `LiteRT.js runs on one thread under Node (asked for ${threads})`);
      const build = String(task.options.build ?? 'auto') as LiteRtBuild | 'auto';
      const { loadLiteRtNode } = await import('@nin-bench/core-nin/node');
      runtime = await loadLiteRtNode({ build });
      return {
        engine: 'litert',
        version: runtime.version,
        details: {
          accelerator: 'wasm (XNNPACK, CPU)',
          build: runtime.build,
          binary: `${LITERT_BUILD_FILES[runtime.build]}.wasm`,
          relaxedSimd: runtime.build === 'relaxed',
          threads: 1,
          model: task.model === 'tflite-int8' || task.model === 'tflite' ? TFLITE_MODEL_FACTS[task.model] : task.model,
        },
      };
    },
    async load() {
      if (!task.modelPath || !existsSync(task.modelPath))
        throw new BackendUnavailableError(
          id,
          `no ${task.model} model at "${task.modelPath}" (nin export-tflite writes it)`,
        );
      const model = await loadLiteRtClassifier(runtime, new Uint8Array(await readFile(task.modelPath)));
      if (model.inputSize !== task.size) {
        model.dispose();
        throw new RangeError(`${task.modelPath} takes ${model.inputSize} px images, not ${task.size}`);
      }
      return {
        details: { modelBatch: model.modelBatch },
        infer: (batch) => model.logits(batch.input, batch.n),
      };
    },
  };
};
