import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { NinManifest, StateDict } from '@nin-bench/core-nin/weights';
import { readOnnxMetadata } from '@nin-bench/core-nin/onnx';
import type { Int8ModelInfo } from './results/schema.ts';

/** The calibration the bench asks for: `nin export-onnx --int8`'s defaults, so a committed model can stand in. */
const CALIBRATION = { images: 256, statistic: 'max' } as const;

export interface Int8Model {
  readonly bytes: Uint8Array;
  readonly info: Int8ModelInfo;
}

/** Makes the int8 ONNX model for one input size (the orchestrator calls it once per size that has int8 rows). */
export type Int8ModelSource = (size: number) => Promise<Int8Model>;

/** `nin-fmnist-224.safetensors` -> `nin-fmnist-224.int8.onnx` beside it: where `nin export-onnx --int8` output is committed. */
export function companionPath(weightsPath: string): string {
  return weightsPath.replace(/(\.safetensors)?$/, '.int8.onnx');
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
  return async (size) => {
    const started = performance.now();
    const companion = companionPath(weightsPath);
    let mismatch = `no ${shown(companion)}`;
    if (existsSync(companion)) {
      const bytes = new Uint8Array(await readFile(companion));
      const meta = readOnnxMetadata(bytes);
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
            source: `${shown(companion)} (nin export-onnx --int8)`,
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
    const { bytes, calibration } = await node.encodeInt8NinOnnx({
      stateDict,
      manifest,
      inputSize: size,
      images: calibrationImages,
      statistic: { kind: CALIBRATION.statistic },
      source: shown(weightsPath),
    });
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
