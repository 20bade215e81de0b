import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { NinManifest, StateDict } from '@nin-bench/core-nin/weights';
import { readOnnxMetadata } from '@nin-bench/core-nin/onnx';
import { encodeNinTflite, readTfliteMetadata } from '@nin-bench/core-nin/tflite';
import type { Int8ModelInfo } from './results/schema.ts';

/** The calibration the bench asks for: `nin export-onnx --int8`'s defaults, so a committed model can stand in. */
const CALIBRATION = { images: 256, statistic: 'max' } as const;

export interface Int8Model {
  readonly bytes: Uint8Array;
  readonly info: Int8ModelInfo;
}

/** The calibrated int8 model formats: `nin export-onnx --int8` and `nin export-tflite --int8` (the same scales). */
export type Int8Format = 'onnx-int8' | 'tflite-int8';

/** Makes the int8 model of a format for one input size (the orchestrator calls it once per size and format). */
export type Int8ModelSource = (size: number, format?: Int8Format) => Promise<Int8Model>;

const SUFFIX: Record<Int8Format | 'tflite', string> = {
  'onnx-int8': '.int8.onnx',
  'tflite-int8': '.int8.tflite',
  tflite: '.tflite',
};

/**
 * `nin-fmnist-224.safetensors` -> `nin-fmnist-224.int8.onnx` (or `.int8.tflite`, `.tflite`) beside it: where
 * `nin export-onnx --int8` and `nin export-tflite [--int8]` output is committed.
 */
export function companionPath(weightsPath: string, format: Int8Format | 'tflite' = 'onnx-int8'): string {
  return weightsPath.replace(/(\.safetensors)?$/, SUFFIX[format]);
}

const COMMAND: Record<Int8Format, { export: string; read: (b: Uint8Array) => Record<string, string> }> = {
  'onnx-int8': { export: 'nin export-onnx --int8', read: readOnnxMetadata },
  'tflite-int8': { export: 'nin export-tflite --int8', read: readTfliteMetadata },
};

/**
 * The float32 .tflite of one size: the committed `nin export-tflite` file beside the weights when it was made from
 * these very tensors at this size, else written now from them (the same writer: the file differs only in metadata).
 */
export async function floatTfliteModel(
  weightsPath: string,
  stateDict: StateDict,
  manifest: NinManifest | null,
  size: number,
): Promise<{ bytes: Uint8Array; source: string }> {
  const companion = companionPath(weightsPath, 'tflite');
  if (existsSync(companion) && manifest) {
    const bytes = new Uint8Array(await readFile(companion));
    const meta = readTfliteMetadata(bytes);
    const made = json<{ tensorsSha256?: string }>(meta, 'nin_manifest');
    if (Number(meta.input_size) === size && made?.tensorsSha256 === manifest.tensorsSha256)
      return { bytes, source: `${relative(process.cwd(), companion)} (nin export-tflite)` };
  }
  return { bytes: encodeNinTflite(stateDict, { inputSize: size }), source: 'written for this run (nin export-tflite)' };
}

function json<T>(meta: Record<string, string>, key: string): T | null {
  try {
    return meta[key] === undefined ? null : (JSON.parse(meta[key]) as T);
  } catch {
    return null;
  }
}

interface Calibration {
  readonly split?: string;
  readonly images?: number;
  readonly statistic?: string;
  readonly description?: string;
}

/**
 * The int8 model of the bench's weights: the committed `X.int8.onnx` beside `X.safetensors` when it was made from
 * these very tensors, at this size, with the default calibration (its metadata then carries the accuracy `nin eval
 * --onnx --record` measured on all 10,000 test images); otherwise calibrated now, the same way (256 training images,
 * the maximum: a few seconds), and its accuracy on the whole test set is not known.
 */
export function int8ModelSource(
  weightsPath: string,
  stateDict: StateDict,
  manifest: NinManifest | null,
): Int8ModelSource {
  let images: Promise<import('@nin-bench/core-nin/onnx').CalibrationImages> | null = null;
  const shown = (path: string) => (path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path);
  return async (size, format = 'onnx-int8') => {
    const started = performance.now();
    const companion = companionPath(weightsPath, format);
    const command = COMMAND[format];
    let mismatch = `no ${shown(companion)}`;
    if (existsSync(companion)) {
      const bytes = new Uint8Array(await readFile(companion));
      const meta = command.read(bytes);
      const source = json<{ tensorsSha256?: string; testAccuracy?: number | null }>(meta, 'float_source');
      const calibration = json<Calibration>(meta, 'calibration');
      const accuracy = json<{ test?: number; evaluatedOn?: string }>(meta, 'accuracy');
      if (Number(meta.input_size) !== size) mismatch = `${shown(companion)} is for ${meta.input_size} px`;
      else if (!manifest || source?.tensorsSha256 !== manifest.tensorsSha256)
        mismatch = `${shown(companion)} was made from other weights`;
      else if (
        calibration?.split !== 'train' ||
        calibration.images !== CALIBRATION.images ||
        calibration.statistic !== CALIBRATION.statistic
      )
        mismatch = `${shown(companion)} has another calibration`;
      else {
        return {
          bytes,
          info: {
            size,
            source: `${shown(companion)} (${command.export})`,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            calibration: `${calibration.statistic} of each activation over ${calibration.description ?? `${calibration.images} training images`}`,
            testAccuracy: accuracy?.test ?? null,
            evaluatedOn: accuracy?.evaluatedOn ?? null,
            floatTestAccuracy: source.testAccuracy ?? null,
            preparedMs: Math.round(performance.now() - started),
          },
        };
      }
    }
    const node = await import('@nin-bench/core-nin/node');
    images ??= node.trainingCalibrationImages(CALIBRATION.images);
    const calibrationImages = await images;
    const options = {
      stateDict,
      manifest,
      inputSize: size,
      images: calibrationImages,
      statistic: { kind: CALIBRATION.statistic },
      source: shown(weightsPath),
    } as const;
    let bytes: Uint8Array;
    let calibration: { statistic: string; description: string };
    if (format === 'onnx-int8') ({ bytes, calibration } = await node.encodeInt8NinOnnx(options));
    else {
      const { quantization, record, metadata } = await node.calibrateNinWeights(options);
      bytes = encodeNinTflite(stateDict, { inputSize: size, quantization, metadata });
      calibration = record;
    }
    return {
      bytes,
      info: {
        size,
        source: `calibrated for this run (${mismatch})`,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        calibration: `${calibration.statistic} of each activation over ${calibration.description}`,
        testAccuracy: null,
        evaluatedOn: null,
        floatTestAccuracy: manifest && manifest.inputSize === size ? (manifest.accuracy?.test ?? null) : null,
        preparedMs: Math.round(performance.now() - started),
      },
    };
  };
}
