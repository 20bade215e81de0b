import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNinOnnx } from '@nin-bench/core-nin/onnx';
import { floatTfliteModel, type Int8Format, type Int8ModelSource } from './int8-model.ts';
import type { Int8ModelInfo } from './results/schema.ts';
import type { ModelFormat } from './runners/runner.ts';
import type { WeightsFile } from './size-weights.ts';

/** The prepared model files' names in the run's scratch folder, as the project names them. */
const MODEL_FILE_SUFFIX: Record<Exclude<ModelFormat, 'safetensors' | 'endpoint'>, string> = {
  onnx: 'onnx',
  'onnx-int8': 'int8.onnx',
  tflite: 'tflite',
  'tflite-int8': 'int8.tflite',
};

export interface ModelFilesOptions {
  /** the run's scratch folder */
  readonly folder: string;
  readonly int8Model: Int8ModelSource;
  readonly note: (line: string) => void;
  /** a calibration is about to start (seconds): for the progress bar */
  readonly preparing: (where: string, what: string) => void;
  /** an int8 model is ready: the results record where it came from and its accuracy */
  readonly prepared: (format: Int8Format, size: number, info: Int8ModelInfo) => void;
}

/**
 * The model file each row declares (its registry entry's `model`), prepared once per size and format and handed
 * to every row that declares it: never chosen by an engine's name. Returns the file's path ('' for an endpoint,
 * the weights themselves for `safetensors`).
 */
export function modelFiles(options: ModelFilesOptions) {
  const prepared = new Map<string, string>();
  return async (format: ModelFormat, size: number, weights: WeightsFile, where: string): Promise<string> => {
    if (format === 'safetensors') return weights.path;
    if (format === 'endpoint') return '';
    const key = `${size}\u0000${format}`;
    const ready = prepared.get(key);
    if (ready !== undefined) return ready;
    const path = join(options.folder, `nin-${size}.${MODEL_FILE_SUFFIX[format]}`);
    if (format === 'onnx')
      await writeFile(path, encodeNinOnnx(weights.stateDict, { inputSize: size, batch: 'dynamic' }));
    else if (format === 'tflite') {
      const { bytes, source } = await floatTfliteModel(weights.path, weights.stateDict, weights.manifest, size);
      await writeFile(path, bytes);
      options.note(`  float32 .tflite @${size}: ${source}`);
    } else {
      options.preparing(where, `preparing the ${format} model (calibration on training images)`);
      const { bytes, info } = await options.int8Model(size, format);
      await writeFile(path, bytes);
      options.prepared(format, size, info);
      options.note(`  ${format} model @${size}: ${info.source}, ${info.preparedMs} ms`);
    }
    prepared.set(key, path);
    return path;
  };
}
