import { encodeNinTflite } from '../../tflite/export.ts';
import { defineCommand } from '../cli-args.ts';
import { EXPORT_USAGE, exportNinModel, exportOptions } from './export-options.ts';

const USAGE = `usage: nin export-tflite --weights F.safetensors --out F.tflite [--size N]
                         [--int8 [--calibration-images N] [--calibration-stat max|pNN.NN]]

${EXPORT_USAGE.weights}
  --out F       where to write the .tflite model (written to a temporary file, then renamed)
${EXPORT_USAGE.size}
  --int8        write the fully integer int8 model (per-channel int8 filters, int8 activations, int32 biases;
                QUANTIZE in, DEQUANTIZE out) that LiteRT's XNNPACK runs as QS8; calibrated like
                \`nin export-onnx --int8\` (the same scales), on Fashion-MNIST training images only, never test images
${EXPORT_USAGE.calibration}

The model takes "input" float32 NHWC [1, S, S, 1] in [0,1] (see its metadata "preprocessing"; LiteRT resizes
the batch if asked) and returns "logits" [1, 10], for LiteRT (LiteRT.js, TFLite). Its metadata records
"input_size" and the weights' "nin_manifest"; the int8 model's also "float_source", "calibration" and
"quantization"; \`nin eval --tflite F --record\` adds its measured test accuracy ("accuracy").`;

export const command = defineCommand({
  usage: USAGE,
  options: exportOptions,
  run: ({ values }) =>
    exportNinModel(values, {
      name: '.tflite',
      int8Name: 'int8',
      shapes: (size) => `input [1, ${size}, ${size}, 1] -> logits [1, 10]`,
      encode: encodeNinTflite,
    }),
});
