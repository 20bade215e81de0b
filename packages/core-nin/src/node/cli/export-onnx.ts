import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NIN_ONNX_OPSET, encodeNinOnnx } from '../../onnx/export.ts';
import { MIN_INPUT_SIZE } from '../../model/architecture.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { DEFAULT_CALIBRATION_IMAGES, encodeInt8NinOnnx, trainingCalibrationImages } from '../int8-onnx.ts';
import { parseActivationStatistic, type ActivationStatistic } from '../../onnx/quantize.ts';
import { CliUsageError, type CliCommand } from './command.ts';

/** Images in Fashion-MNIST's training split. */
const FASHION_MNIST_TRAIN_IMAGES = 60_000;

const USAGE = `usage: nin export-onnx --weights F.safetensors --out F.onnx [--size N] [--batch N|dynamic]
                       [--int8 [--calibration-images N] [--calibration-stat max|pNN.NN]]

  --weights F   NiN weights (safetensors; float32, float16 or int8 are dequantised to float32)
  --out F       where to write the ONNX model (written to a temporary file, then renamed)
  --size N      input side in pixels (default: the manifest's inputSize; required for files without one)
  --batch B     a fixed batch size, or "dynamic" (default) for a symbolic batch dimension
  --int8        write the calibrated int8 model (QDQ: int8 weights, one scale per output channel; uint8
                activations) that ONNX Runtime runs as QLinearConv; calibrated on Fashion-MNIST training
                images only, never test images
  --calibration-images N   training images to calibrate on, spread evenly over the 60,000 (default ${DEFAULT_CALIBRATION_IMAGES})
  --calibration-stat S     each activation's range: "max" (default) or a percentile such as p99.99

The model takes "input" float32 [N, 1, S, S] in [0,1] (see metadata_props "preprocessing") and returns
"logits" [N, 10]; ONNX opset ${NIN_ONNX_OPSET}. The int8 model's metadata_props record its float32 source
("float_source", "nin_manifest"), "calibration" and "quantization"; \`nin eval --onnx F --record\` adds its
measured test accuracy ("accuracy").`;

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliUsageError(`${flag} must be a positive integer, got "${text}"`);
  return Number(text);
}

function statisticFlag(text: string): ActivationStatistic {
  try {
    return parseActivationStatistic(text);
  } catch (e) {
    throw new CliUsageError(`--calibration-stat: ${(e as Error).message}`);
  }
}

export const command: CliCommand = {
  summary: 'Export the NiN with its weights as an ONNX model, float32 or calibrated int8 (for onnxruntime and other engines)',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        weights: { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string' },
        batch: { type: 'string' },
        int8: { type: 'boolean', default: false },
        'calibration-images': { type: 'string' },
        'calibration-stat': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.weights) throw new CliUsageError('--weights is required');
    if (!values.out) throw new CliUsageError('--out is required');
    const batch = values.batch === undefined || values.batch === 'dynamic' ? 'dynamic' : positiveInteger('--batch', values.batch);
    const requestedSize = values.size === undefined ? undefined : positiveInteger('--size', values.size);
    if (requestedSize !== undefined && requestedSize < MIN_INPUT_SIZE) throw new CliUsageError(`--size must be at least ${MIN_INPUT_SIZE} for NiN, got ${requestedSize}`);
    const calibrationText = values['calibration-images'];
    const statisticText = values['calibration-stat'];
    if (!values.int8 && (calibrationText !== undefined || statisticText !== undefined)) throw new CliUsageError('--calibration-images and --calibration-stat need --int8');
    const calibrationImages = calibrationText === undefined ? DEFAULT_CALIBRATION_IMAGES : positiveInteger('--calibration-images', calibrationText);
    if (calibrationImages > FASHION_MNIST_TRAIN_IMAGES) throw new CliUsageError(`--calibration-images must be at most ${FASHION_MNIST_TRAIN_IMAGES} (the training set), got ${calibrationImages}`);
    const statistic = statisticFlag(statisticText ?? 'max');

    const { stateDict, manifest } = await readNinWeightsFile(values.weights);
    const inputSize = requestedSize ?? manifest?.inputSize;
    if (inputSize === undefined) throw new CliUsageError(`${values.weights} has no nin-bench manifest to take the input size from: pass --size`);

    // The manifest travels along, so an ONNX file can be traced back to its weights, recipe and accuracy.
    let bytes: Uint8Array;
    let calibrated = '';
    if (values.int8) {
      const started = performance.now();
      const images = await trainingCalibrationImages(calibrationImages);
      const result = await encodeInt8NinOnnx({ stateDict, manifest, inputSize, batch, images, statistic, source: basename(values.weights) });
      bytes = result.bytes;
      calibrated = `, int8 QDQ calibrated (${result.calibration.statistic}) on ${images.count} training images in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    } else {
      const metadata: Record<string, string> = manifest ? { nin_manifest: JSON.stringify(manifest) } : {};
      bytes = encodeNinOnnx(stateDict, { inputSize, batch, metadata });
    }
    const out = resolve(values.out);
    // atomic: a crash never leaves a half-written model under the final name
    await writeFileAtomic(out, bytes);
    const n = batch === 'dynamic' ? 'batch' : batch;
    console.log(
      `wrote ${values.out} (${(bytes.byteLength / 1e6).toFixed(2)} MB, ONNX opset ${NIN_ONNX_OPSET}): ` +
        `input [${n}, 1, ${inputSize}, ${inputSize}] -> logits [${n}, 10]` +
        (manifest ? `, ${manifest.storage} weights` : ', weights without a manifest') +
        calibrated,
    );
    return 0;
  },
};
