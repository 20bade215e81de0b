// What `nin export-onnx` and `nin export-tflite` share: the options, their usage lines, and the steps from a
// weights file to a written model (read, size, calibrate for --int8, encode, write atomically, one summary line).
// Each format's CLI file keeps its own part: its usage, its extra options and its encoder.
import { basename, resolve } from 'node:path';
import type { StateDict } from '../../weights/state-dict.ts';
import type { NinQuantization } from '../../quantize/calibrate.ts';
import { parseActivationStatistic } from '../../quantize/int8.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { DEFAULT_CALIBRATION_IMAGES, calibrateNinWeights, trainingCalibrationImages } from '../int8-onnx.ts';
import { UsageError, option, type OptionValues } from '../cli-args.ts';

/** Images in Fashion-MNIST's training split. */
const FASHION_MNIST_TRAIN_IMAGES = 60_000;

/** The options every export command reads first: the weights, the output and the input side. */
export const exportFileOptions = {
  weights: option.string(),
  out: option.string(),
  size: option.inputSize(),
};

/** The int8 options every export command reads after its own. */
export const exportInt8Options = {
  int8: option.boolean(),
  // at most the training set: calibration never sees a test image
  'calibration-images': option.positiveInteger({ max: FASHION_MNIST_TRAIN_IMAGES }),
  'calibration-stat': option.custom(parseActivationStatistic),
};

/** Every option an export command shares. */
export const exportOptions = { ...exportFileOptions, ...exportInt8Options };

/** Usage lines every export command shows the same way. */
export const EXPORT_USAGE = {
  weights: '  --weights F   NiN weights (safetensors; float32, float16 or int8 are dequantised to float32)',
  size: "  --size N      input side in pixels (default: the manifest's inputSize; required for files without one)",
  calibration:
    '  --calibration-images N   training images to calibrate on, spread evenly over the 60,000 ' +
    `(default ${DEFAULT_CALIBRATION_IMAGES})\n` +
    `  --calibration-stat S     each activation's range: "max" (default) or a percentile such as p99.99`,
};

/** What a format's encoder gets: the float32 weights, the input side, and for --int8 the shared calibration. */
export interface ExportEncodeOptions {
  readonly inputSize: number;
  readonly quantization?: NinQuantization;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One export format: its encoder and how the summary line names the file it wrote. */
export interface ExportFormat {
  /** in the summary after the size, e.g. `ONNX opset 13` or `.tflite` */
  readonly name: string;
  /** in the summary before `calibrated`, e.g. `int8 QDQ` */
  readonly int8Name: string;
  /** the model's input and output, e.g. `input [1, 96, 96, 1] -> logits [1, 10]` */
  shapes(inputSize: number): string;
  encode(stateDict: StateDict, options: ExportEncodeOptions): Uint8Array;
}

/**
 * Runs an export command: checks the shared options, reads the weights, calibrates on training images for
 * --int8 (the one calibration both formats share), encodes, writes atomically and prints one summary line.
 */
export async function exportNinModel(
  values: OptionValues<typeof exportOptions>,
  format: ExportFormat,
): Promise<number> {
  if (!values.weights) throw new UsageError('--weights is required');
  if (!values.out) throw new UsageError('--out is required');
  if (!values.int8 && (values['calibration-images'] !== undefined || values['calibration-stat'] !== undefined))
    throw new UsageError('--calibration-images and --calibration-stat need --int8');

  const { stateDict, manifest } = await readNinWeightsFile(values.weights);
  const inputSize = values.size ?? manifest?.inputSize;
  if (inputSize === undefined)
    throw new UsageError(`${values.weights} has no nin-bench manifest to take the input size from: pass --size`);

  let bytes: Uint8Array;
  let calibrated = '';
  if (values.int8) {
    const started = performance.now();
    const images = await trainingCalibrationImages(values['calibration-images'] ?? DEFAULT_CALIBRATION_IMAGES);
    const { quantization, record, metadata } = await calibrateNinWeights({
      stateDict,
      manifest,
      inputSize,
      images,
      statistic: values['calibration-stat'] ?? parseActivationStatistic('max'),
      source: basename(values.weights),
    });
    bytes = format.encode(stateDict, { inputSize, quantization, metadata });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    calibrated = `, ${format.int8Name} calibrated (${record.statistic}) on ${images.count} training images in ${seconds} s`;
  } else {
    // the manifest travels along, so a model file can be traced back to its weights, recipe and accuracy
    bytes = format.encode(stateDict, {
      inputSize,
      metadata: manifest ? { nin_manifest: JSON.stringify(manifest) } : {},
    });
  }
  // atomic: a crash never leaves a half-written model under the final name
  await writeFileAtomic(resolve(values.out), bytes);
  console.log(
    `wrote ${values.out} (${(bytes.byteLength / 1e6).toFixed(2)} MB, ${format.name}): ${format.shapes(inputSize)}` +
      (manifest ? `, ${manifest.storage} weights` : ', weights without a manifest') +
      calibrated,
  );
  return 0;
}
