// The int8 NiN's calibration, one module for both int8 writers (ONNX QDQ: onnx/export.ts; TFLite: tflite/export.ts):
// the activation ranges of the float32 model on training images, turned into the scales both files store.
import { NIN_STAGES } from '../model/architecture.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import {
  ActivationRange,
  UINT8_MAX,
  activationScale,
  formatActivationStatistic,
  type ActivationStatistic,
} from './int8.ts';

/**
 * The int8 model's activation scales by activation name ({@link ninActivationNames}); the weights are quantised
 * from the state_dict by each encoder. A scale s stands for the real range [0, 255 s]: uint8 with zero point 0
 * in ONNX, int8 with zero point -128 in TFLite.
 */
export interface NinQuantization {
  readonly activationScales: Readonly<Record<string, number>>;
}

/**
 * The input's scale in the int8 models: preprocessing (PIL's bilinear resize in 8 bits, then / 255) gives exactly
 * k / 255, so 1/255 represents every input value without loss; nothing is calibrated there.
 */
export const NIN_INPUT_SCALE = Math.fround(1 / UINT8_MAX);

/**
 * The activations int8 calibration measures, in graph order: each conv's ReLU output, `<conv>.relu` (the ONNX
 * graph's tensor names). A max-pool keeps its input's scale.
 */
export function ninActivationNames(): string[] {
  return NIN_STAGES.flatMap((s) => (s.kind === 'block' ? s.block.convs.map((c) => `${c.name}.relu`) : []));
}

/**
 * The logits among the calibrated tensors: the global average pool's output, >= 0 (a mean of ReLU outputs). The
 * int8 `.tflite`'s MEAN writes them at their own scale, a fraction of the last conv's (at 224 px the same top-1 as
 * float32 went from 97.1% to over 99% of test images); the ONNX graph averages in float and has no use for it.
 */
export const NIN_LOGITS_ACTIVATION = 'logits';

/** Every tensor the int8 writers need a range for: each conv's ReLU output, then the logits. */
export function ninCalibrationTensors(): string[] {
  return [...ninActivationNames(), NIN_LOGITS_ACTIVATION];
}

/**
 * Images to calibrate on. The type admits only the training split: the int8 model's scales must never be fitted
 * to the images its accuracy is measured on (the node side reads them with `loadFashionMnist('train')` only).
 */
export interface CalibrationImages {
  readonly split: 'train';
  /** 28x28 8-bit images back to back */
  readonly images: Uint8Array;
  readonly count: number;
  /** which images, in words, for the model's metadata: `Fashion-MNIST train, 256 images: every 234th from 0` */
  readonly description: string;
}

/**
 * Runs the float32 model on preprocessed images (`count * S * S` floats) and returns every tensor calibration
 * asks for ({@link ninCalibrationTensors}: the ONNX export with `exposeActivations`, or any engine that computes them).
 * For the `max` statistic a runner may return just each activation's maximum over the batch.
 */
export type ActivationRunner = (input: Float32Array, count: number) => Promise<Readonly<Record<string, Float32Array>>>;

export interface CalibrationOptions {
  readonly images: CalibrationImages;
  readonly inputSize: number;
  readonly statistic: ActivationStatistic;
  readonly run: ActivationRunner;
  /** the tensors to measure (default {@link ninActivationNames}; both writers' calibration: {@link ninCalibrationTensors}) */
  readonly tensors?: readonly string[];
  /** images per forward pass (default 16) */
  readonly batch?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the calibration was, for the model's `calibration` metadata entry. */
export interface CalibrationRecord {
  readonly split: 'train';
  readonly images: number;
  readonly description: string;
  readonly statistic: string;
  readonly inputSize: number;
  /** the calibrated upper end of each activation's range, before / 255 */
  readonly ranges: Readonly<Record<string, number>>;
}

/**
 * Measures the float model's activations on the calibration images and turns each one's range into an 8-bit
 * scale (range / 255; {@link NinQuantization}).
 */
export async function calibrateNin(
  options: CalibrationOptions,
): Promise<{ quantization: NinQuantization; record: CalibrationRecord }> {
  const { images, inputSize, statistic, run } = options;
  if (images.split !== 'train')
    throw new RangeError(`calibration uses training images only, got the "${String(images.split)}" split`);
  if (!(images.count >= 1) || images.images.length < images.count * FASHION_MNIST_PIXELS)
    throw new RangeError(`calibration needs at least one image, got ${images.count}`);
  const batch = options.batch ?? 16;
  const names = options.tensors ?? ninActivationNames();
  const ranges = new Map(names.map((name) => [name, new ActivationRange(statistic)]));
  for (let start = 0; start < images.count; start += batch) {
    const n = Math.min(batch, images.count - start);
    const input = preprocessImages(
      images.images.subarray(start * FASHION_MNIST_PIXELS, (start + n) * FASHION_MNIST_PIXELS),
      inputSize,
    );
    const activations = await run(input, n);
    for (const name of names) {
      const values = activations[name];
      if (!values) throw new Error(`the calibration engine did not return activation ${name}`);
      ranges.get(name)!.add(values);
    }
    options.onProgress?.(start + n, images.count);
  }
  const top = Object.fromEntries(names.map((name) => [name, ranges.get(name)!.value()]));
  return {
    quantization: { activationScales: Object.fromEntries(names.map((name) => [name, activationScale(top[name])])) },
    record: {
      split: 'train',
      images: images.count,
      description: images.description,
      statistic: formatActivationStatistic(statistic),
      inputSize,
      ranges: top,
    },
  };
}
