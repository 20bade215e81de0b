import { basename, resolve } from 'node:path';
import { encodeNinTflite } from '../../tflite/export.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { DEFAULT_CALIBRATION_IMAGES, calibrateNinWeights, trainingCalibrationImages } from '../int8-onnx.ts';
import { parseActivationStatistic } from '../../quantize/int8.ts';
import { UsageError, defineCommand, option } from '../cli-args.ts';

/** Images in Fashion-MNIST's training split. */
const FASHION_MNIST_TRAIN_IMAGES = 60_000;

const USAGE = `usage: nin export-tflite --weights F.safetensors --out F.tflite [--size N]
                         [--int8 [--calibration-images N] [--calibration-stat max|pNN.NN]]

  --weights F   NiN weights (safetensors; float32, float16 or int8 are dequantised to float32)
  --out F       where to write the .tflite model (written to a temporary file, then renamed)
  --size N      input side in pixels (default: the manifest's inputSize; required for files without one)
  --int8        write the fully integer int8 model (per-channel int8 filters, int8 activations, int32 biases;
                QUANTIZE in, DEQUANTIZE out) that LiteRT's XNNPACK runs as QS8; calibrated like
                \`nin export-onnx --int8\` (the same scales), on Fashion-MNIST training images only, never test images
  --calibration-images N   training images to calibrate on, spread evenly over the 60,000 (default ${DEFAULT_CALIBRATION_IMAGES})
  --calibration-stat S     each activation's range: "max" (default) or a percentile such as p99.99

The model takes "input" float32 NHWC [1, S, S, 1] in [0,1] (see its metadata "preprocessing"; LiteRT resizes
the batch if asked) and returns "logits" [1, 10], for LiteRT (LiteRT.js, TFLite). Its metadata records
"input_size" and the weights' "nin_manifest"; the int8 model's also "float_source", "calibration" and
"quantization"; \`nin eval --tflite F --record\` adds its measured test accuracy ("accuracy").`;

export const command = defineCommand({
  usage: USAGE,
  options: {
    weights: option.string(),
    out: option.string(),
    size: option.inputSize(),
    int8: option.boolean(),
    // at most the training set: calibration never sees a test image
    'calibration-images': option.positiveInteger({ max: FASHION_MNIST_TRAIN_IMAGES }),
    'calibration-stat': option.custom(parseActivationStatistic),
  },
  async run({ values }) {
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
      // the calibration export-onnx --int8 runs: the same images and statistic give the same scales
      const { quantization, record, metadata } = await calibrateNinWeights({
        stateDict,
        manifest,
        inputSize,
        images,
        statistic: values['calibration-stat'] ?? parseActivationStatistic('max'),
        source: basename(values.weights),
      });
      bytes = encodeNinTflite(stateDict, { inputSize, quantization, metadata });
      calibrated = `, int8 calibrated (${record.statistic}) on ${images.count} training images in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    } else {
      // the manifest travels along, so a .tflite file can be traced back to its weights, recipe and accuracy
      bytes = encodeNinTflite(stateDict, {
        inputSize,
        metadata: manifest ? { nin_manifest: JSON.stringify(manifest) } : {},
      });
    }
    // atomic: a crash never leaves a half-written model under the final name
    await writeFileAtomic(resolve(values.out), bytes);
    console.log(
      `wrote ${values.out} (${(bytes.byteLength / 1e6).toFixed(2)} MB, .tflite): ` +
        `input [1, ${inputSize}, ${inputSize}, 1] -> logits [1, 10]` +
        (manifest ? `, ${manifest.storage} weights` : ', weights without a manifest') +
        calibrated,
    );
    return 0;
  },
});
