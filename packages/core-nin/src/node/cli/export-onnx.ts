import { NIN_ONNX_OPSET, encodeNinOnnx } from '../../onnx/export.ts';
import { defineCommand, option } from '../cli-args.ts';
import { EXPORT_USAGE, exportFileOptions, exportInt8Options, exportNinModel } from './export-options.ts';

const USAGE = `usage: nin export-onnx --weights F.safetensors --out F.onnx [--size N] [--batch N|dynamic]
                       [--int8 [--calibration-images N] [--calibration-stat max|pNN.NN]]

${EXPORT_USAGE.weights}
  --out F       where to write the ONNX model (written to a temporary file, then renamed)
${EXPORT_USAGE.size}
  --batch B     a fixed batch size, or "dynamic" (default) for a symbolic batch dimension
  --int8        write the calibrated int8 model (QDQ: int8 weights, one scale per output channel; uint8
                activations) that ONNX Runtime runs as QLinearConv; calibrated on Fashion-MNIST training
                images only, never test images
${EXPORT_USAGE.calibration}

The model takes "input" float32 [N, 1, S, S] in [0,1] (see metadata_props "preprocessing") and returns
"logits" [N, 10]; ONNX opset ${NIN_ONNX_OPSET}. The int8 model's metadata_props record its float32 source
("float_source", "nin_manifest"), "calibration" and "quantization"; \`nin eval --onnx F --record\` adds its
measured test accuracy ("accuracy").`;

const fixedOrDynamicBatch = option.positiveInteger();

export const command = defineCommand({
  usage: USAGE,
  options: {
    ...exportFileOptions,
    batch: option
      .custom((text, flag) => (text === 'dynamic' ? ('dynamic' as const) : fixedOrDynamicBatch.parse(text, flag)))
      .default('dynamic'),
    ...exportInt8Options,
  },
  run({ values }) {
    const { batch } = values;
    const n = batch === 'dynamic' ? 'batch' : batch;
    return exportNinModel(values, {
      name: `ONNX opset ${NIN_ONNX_OPSET}`,
      int8Name: 'int8 QDQ',
      shapes: (size) => `input [${n}, 1, ${size}, ${size}] -> logits [${n}, 10]`,
      encode: (stateDict, options) => encodeNinOnnx(stateDict, { ...options, batch }),
    });
  },
});
