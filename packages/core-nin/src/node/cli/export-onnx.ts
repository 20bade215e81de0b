import { basename, resolve } from 'node:path';
import { NIN_ONNX_OPSET, encodeNinOnnx } from '../../onnx/export.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { DEFAULT_CALIBRATION_IMAGES, encodeInt8NinOnnx, trainingCalibrationImages } from '../int8-onnx.ts';
import { parseActivationStatistic } from '../../quantize/int8.ts';
import { UsageError, defineCommand, option } from '../cli-args.ts';

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

const fixedOrDynamicBatch = option.positiveInteger();

export const command = defineCommand({
  usage: USAGE,
  options: {
    weights: option.string(),
    out: option.string(),
    size: option.inputSize(),
    batch: option
      .custom((text, flag) => (text === 'dynamic' ? ('dynamic' as const) : fixedOrDynamicBatch.parse(text, flag)))
      .default('dynamic'),
    int8: option.boolean(),
    // at most the training set: calibration never sees a test image
    'calibration-images': option.positiveInteger({ max: FASHION_MNIST_TRAIN_IMAGES }),
    'calibration-stat': option.custom(parseActivationStatistic),
  },
  async run({ values }) {
    if (!values.weights) throw new UsageError('--weights is required');
    if (!values.out) throw new UsageError('--out is required');
    const { batch, size: requestedSize } = values;
    if (!values.int8 && (values['calibration-images'] !== undefined || values['calibration-stat'] !== undefined))
      throw new UsageError('--calibration-images and --calibration-stat need --int8');
    const calibrationImages = values['calibration-images'] ?? DEFAULT_CALIBRATION_IMAGES;
    const statistic = values['calibration-stat'] ?? parseActivationStatistic('max');

    const { stateDict, manifest } = await readNinWeightsFile(values.weights);
    const inputSize = requestedSize ?? manifest?.inputSize;
    if (inputSize === undefined)
      throw new UsageError(`${values.weights} has no nin-bench manifest to take the input size from: pass --size`);

    // The manifest travels along, so an ONNX file can be traced back to its weights, recipe and accuracy.
    let bytes: Uint8Array;
    let calibrated = '';
    if (values.int8) {
      const started = performance.now();
      const images = await trainingCalibrationImages(calibrationImages);
      const result = await encodeInt8NinOnnx({
        stateDict,
        manifest,
        inputSize,
        batch,
        images,
        statistic,
        source: basename(values.weights),
      });
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
});
