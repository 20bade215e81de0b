import { availableParallelism } from 'node:os';
import type { NinManifest } from '../weights/manifest.ts';
import type { StateDict } from '../weights/state-dict.ts';
import { FASHION_MNIST_PIXELS } from '../data/preprocess.ts';
import { NIN_ONNX_INPUT, NIN_ONNX_OUTPUT, encodeNinOnnx } from '../onnx/export.ts';
import {
  NIN_LOGITS_ACTIVATION,
  calibrateNin,
  ninActivationNames,
  ninCalibrationTensors,
  type ActivationRunner,
  type CalibrationImages,
  type CalibrationRecord,
  type NinQuantization,
} from '../quantize/calibrate.ts';
import type { ActivationStatistic } from '../quantize/int8.ts';
import { loadFashionMnist, type LoadFashionMnistOptions } from './fashion-mnist.ts';

/** Calibration set size by default: 256 training images (the maximum over them kept 224 px within 0.1 points). */
export const DEFAULT_CALIBRATION_IMAGES = 256;

/** onnxruntime-node, or an error that says how to get it (it is a devDependency of the core, installed by npm ci). */
export async function importOnnxRuntimeNode(purpose: string): Promise<typeof import('onnxruntime-node')> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new Error(`${purpose} runs onnxruntime-node, which is not installed (${(e as Error).message}); run npm ci`);
  }
}

/**
 * `count` training images spread evenly over the 60,000 (every k-th from the first, so all classes and the whole
 * file are sampled). Reads the training split only: calibration never opens the test set.
 */
export async function trainingCalibrationImages(
  count: number,
  options: LoadFashionMnistOptions = {},
): Promise<CalibrationImages> {
  const train = await loadFashionMnist('train', options);
  if (!Number.isInteger(count) || count < 1 || count > train.count)
    throw new RangeError(`calibration images must be between 1 and ${train.count}, got ${count}`);
  const stride = Math.floor(train.count / count);
  const images = new Uint8Array(count * FASHION_MNIST_PIXELS);
  for (let i = 0; i < count; i++)
    images.set(
      train.images.subarray(i * stride * FASHION_MNIST_PIXELS, (i * stride + 1) * FASHION_MNIST_PIXELS),
      i * FASHION_MNIST_PIXELS,
    );
  return {
    split: 'train',
    images,
    count,
    description: `Fashion-MNIST train, ${count} of ${train.count} images: every ${stride}th from index 0`,
  };
}

/**
 * onnxruntime-node on the float32 export that also outputs every calibrated activation: only their maxima
 * (ReduceMax in the graph) for the `max` statistic, the whole tensors for a percentile; and the logits.
 */
export async function onnxActivationRunner(
  stateDict: StateDict,
  inputSize: number,
  statistic: ActivationStatistic,
  threads = availableParallelism(),
): Promise<ActivationRunner> {
  const ort = await importOnnxRuntimeNode('int8 calibration');
  const exposeActivations = statistic.kind === 'max' ? 'max' : 'tensors';
  const session = await ort.InferenceSession.create(encodeNinOnnx(stateDict, { inputSize, exposeActivations }), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const names = ninActivationNames();
  const outputs = names.map((name) => (exposeActivations === 'max' ? `${name}.max` : name));
  return async (input, count) => {
    const out = await session.run(
      { [NIN_ONNX_INPUT]: new ort.Tensor('float32', input, [count, 1, inputSize, inputSize]) },
      [...outputs, NIN_ONNX_OUTPUT],
    );
    return {
      ...Object.fromEntries(names.map((name, i) => [name, out[outputs[i]].data as Float32Array])),
      // the logits whole: ten values an image
      [NIN_LOGITS_ACTIVATION]: out[NIN_ONNX_OUTPUT].data as Float32Array,
    };
  };
}

/** What the int8 models are calibrated from: the float32 weights, training images and a range statistic. */
export interface Int8CalibrationOptions {
  readonly stateDict: StateDict;
  /** the float weights' manifest: travels along as `nin_manifest`, like the float export's */
  readonly manifest: NinManifest | null;
  readonly inputSize: number;
  readonly images: CalibrationImages;
  readonly statistic: ActivationStatistic;
  /** the float32 activations (default: onnxruntime-node on the float export) */
  readonly run?: ActivationRunner;
  /** the float32 weights file, by name, for the metadata */
  readonly source?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A calibration and the metadata entries that say where an int8 model came from (the same in ONNX and TFLite). */
export interface Int8Calibration {
  readonly quantization: NinQuantization;
  readonly record: CalibrationRecord;
  /** `nin_manifest` (when the weights have one), `float_source`, `calibration` */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The one calibration both int8 writers use (`export-onnx --int8`, `export-tflite --int8`): the float model's
 * activation ranges measured on training images only, and the provenance the int8 file records.
 */
export async function calibrateNinWeights(options: Int8CalibrationOptions): Promise<Int8Calibration> {
  const { stateDict, manifest, inputSize } = options;
  const run = options.run ?? (await onnxActivationRunner(stateDict, inputSize, options.statistic));
  const { quantization, record } = await calibrateNin({
    images: options.images,
    inputSize,
    statistic: options.statistic,
    run,
    tensors: ninCalibrationTensors(),
    onProgress: options.onProgress,
  });
  const floatSource = {
    weights: options.source ?? null,
    storage: manifest?.storage ?? null,
    tensorsSha256: manifest?.tensorsSha256 ?? null,
    inputSize: manifest?.inputSize ?? null,
    testAccuracy: manifest?.accuracy?.test ?? null,
  };
  const metadata: Record<string, string> = {
    ...(manifest ? { nin_manifest: JSON.stringify(manifest) } : {}),
    float_source: JSON.stringify(floatSource),
    calibration: JSON.stringify(record),
  };
  return { quantization, record, metadata };
}

export interface Int8OnnxOptions extends Int8CalibrationOptions {
  /** a fixed batch size, or `'dynamic'` (default) */
  readonly batch?: number | 'dynamic';
}

/**
 * The calibrated int8 QDQ model: the float model's activation ranges measured on training images, then one
 * encoder writes the graph. Its metadata says what it was quantised from and on which images.
 */
export async function encodeInt8NinOnnx(
  options: Int8OnnxOptions,
): Promise<{ bytes: Uint8Array; calibration: CalibrationRecord }> {
  const { quantization, record, metadata } = await calibrateNinWeights(options);
  return {
    bytes: encodeNinOnnx(options.stateDict, {
      inputSize: options.inputSize,
      batch: options.batch,
      quantization,
      metadata,
    }),
    calibration: record,
  };
}
