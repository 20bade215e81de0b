import { NIN_STAGES, NUM_CLASSES, assertInputSize, layerShapes, type ConvSpec } from '../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { checkStateDict, type StateDict } from '../weights/state-dict.ts';
import { quantizeBias, quantizeWeightsPerChannel } from '../quantize/int8.ts';
import {
  NIN_INPUT_SCALE,
  NIN_LOGITS_ACTIVATION,
  ninCalibrationTensors,
  type NinQuantization,
} from '../quantize/calibrate.ts';
import {
  ActivationFunctionType,
  BuiltinOperator,
  BuiltinOptions,
  Conv2DOptions,
  Padding,
  Pool2DOptions,
  ReducerOptions,
  ReshapeOptions,
  TensorType,
} from './schema/schema_generated.ts';
import { writeTflite, type TfliteOperator, type TfliteQuantization, type TfliteTensor } from './writer.ts';

export const NIN_TFLITE_INPUT = 'input';
export const NIN_TFLITE_OUTPUT = 'logits';
/**
 * The int8 activations' zero point: every NiN activation is >= 0, so [0, 255 s] maps onto the whole int8 range
 * (the uint8 range with zero point 0 of the ONNX model, shifted by 128: the same scales, the same rounding).
 */
export const NIN_TFLITE_INT8_ZERO_POINT = -128;

export interface NinTfliteOptions {
  /** Square input side in pixels (the size the weights were trained at). */
  readonly inputSize: number;
  /** Write the fully integer int8 model with these activation scales (the calibration export-onnx shares). */
  readonly quantization?: NinQuantization;
  /** Extra `metadata` entries (e.g. the weights' manifest, the calibration record). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The TFLite padding that computes PyTorch's symmetric zero padding `p` for a convolution. */
export function tflitePadding(conv: Pick<ConvSpec, 'name' | 'kernel' | 'stride' | 'padding'>): Padding {
  if (conv.padding === 0) return Padding.VALID; // floor((S - k) / s) + 1 = ceil((S - k + 1) / s)
  // SAME pads k - 1 in all at stride 1, floor((k-1)/2) before: for odd k that is p = (k-1)/2 on both sides
  if (conv.stride === 1 && conv.kernel % 2 === 1 && conv.padding === (conv.kernel - 1) / 2) return Padding.SAME;
  throw new RangeError(
    `conv ${conv.name}: padding ${conv.padding} at kernel ${conv.kernel}, stride ${conv.stride} is neither VALID nor SAME`,
  );
}

function activationScaleOf(quantization: NinQuantization, name: string): number {
  const scale = quantization.activationScales[name];
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`int8 .tflite: no valid activation scale for ${name} (got ${String(scale)})`);
  return Math.fround(scale);
}

/** OIHW (PyTorch) -> OHWI (TFLite's CONV_2D filter), for float32 or int8 values. */
export function oihwToOhwi<T extends Float32Array | Int8Array>(data: T, [o, i, h, w]: readonly number[]): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((a * h + y) * w + x) * i + b] = data[((a * i + b) * h + y) * w + x];
  return out;
}

/** Little-endian bytes (the `.tflite` buffer encoding; every platform we run on is little-endian). */
function bytesOf(data: Float32Array | Int8Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The tensors and operators of one graph, added in execution order; each `add*` returns the tensor's index. */
class GraphBuilder {
  readonly tensors: TfliteTensor[] = [];
  readonly operators: TfliteOperator[] = [];

  tensor(t: TfliteTensor): number {
    return this.tensors.push(t) - 1;
  }

  /** Adds `op` reading `inputs` and writing a new tensor `output`; returns its index. */
  op(op: Omit<TfliteOperator, 'outputs'>, output: TfliteTensor): number {
    const index = this.tensor(output);
    this.operators.push({ ...op, outputs: [index] });
    return index;
  }
}

/**
 * Writes the NiN as a `.tflite` model: the graph of d2l's `nn.Sequential` in eval mode (dropout is the identity),
 * input `input` float32 NHWC `[1, S, S, 1]` (the preprocessed image: PIL-bilinear resize, / 255, as the ONNX and
 * tfjs models take it), output `logits` float32 `[1, 10]`. Batch 1: LiteRT resizes the input when asked for
 * more. float32: `CONV_2D` with fused ReLU (OHWI filters), `MAX_POOL_2D` 3x3/2 VALID, `MEAN` over H and W,
 * `RESHAPE`. With `quantization`: the same ops fully in int8 (what XNNPACK runs as QS8) between `QUANTIZE` and
 * `DEQUANTIZE`. Pure JS, no Node built-ins.
 */
export function encodeNinTflite(stateDict: StateDict, options: NinTfliteOptions): Uint8Array {
  const { inputSize, quantization, metadata = {} } = options;
  assertInputSize(inputSize);
  checkStateDict(stateDict);
  const shapes = new Map(layerShapes(inputSize).map((l) => [l.stage, l]));
  const graph = new GraphBuilder();
  const int8 = quantization !== undefined;
  // An int8 activation at scale s (or float32): the quantisation every activation tensor of the int8 model has.
  const activation = (name: string, shape: number[], scale: number): TfliteTensor =>
    int8
      ? {
          name,
          shape,
          type: TensorType.INT8,
          quantization: { scale: [scale], zeroPoint: [NIN_TFLITE_INT8_ZERO_POINT] },
        }
      : { name, shape, type: TensorType.FLOAT32 };
  const int32Constant = (name: string, values: number[]): number =>
    graph.tensor({ name, shape: [values.length], type: TensorType.INT32, data: bytesOf(Int32Array.from(values)) });

  const input = graph.tensor({ name: NIN_TFLITE_INPUT, shape: [1, inputSize, inputSize, 1], type: TensorType.FLOAT32 });
  let x = input;
  let scale = NIN_INPUT_SCALE;
  if (int8) {
    // k/255 -> k - 128: exact for every preprocessed pixel
    x = graph.op(
      { op: BuiltinOperator.QUANTIZE, version: 1, inputs: [x] },
      activation(`${NIN_TFLITE_INPUT}.quantized`, [1, inputSize, inputSize, 1], scale),
    );
  }
  let channels = 1;
  let size = inputSize;
  for (const stage of NIN_STAGES) {
    if (stage.kind === 'block') {
      for (const c of stage.block.convs) {
        const oihw = [c.outChannels, c.inChannels, c.kernel, c.kernel];
        const ohwi = [c.outChannels, c.kernel, c.kernel, c.inChannels];
        const weight = stateDict.get(`${c.name}.weight`)!.data;
        const bias = stateDict.get(`${c.name}.bias`)!.data;
        const name = `${c.name}.relu`;
        let w: number;
        let b: number;
        let outScale = 0;
        if (int8) {
          const qw = quantizeWeightsPerChannel(weight, c.outChannels);
          const qb = quantizeBias(bias, scale, qw.scales);
          const perChannel = (scales: Float32Array): TfliteQuantization => ({
            scale: [...scales],
            zeroPoint: new Array<number>(scales.length).fill(0),
            quantizedDimension: 0,
          });
          w = graph.tensor({
            name: `${c.name}.weight`,
            shape: ohwi,
            type: TensorType.INT8,
            data: bytesOf(oihwToOhwi(qw.values, oihw)),
            quantization: perChannel(qw.scales),
          });
          b = graph.tensor({
            name: `${c.name}.bias`,
            shape: [c.outChannels],
            type: TensorType.INT32,
            data: bytesOf(qb.values),
            quantization: perChannel(qb.scales),
          });
          outScale = activationScaleOf(quantization, name);
        } else {
          w = graph.tensor({
            name: `${c.name}.weight`,
            shape: ohwi,
            type: TensorType.FLOAT32,
            data: bytesOf(oihwToOhwi(weight, oihw)),
          });
          b = graph.tensor({
            name: `${c.name}.bias`,
            shape: [c.outChannels],
            type: TensorType.FLOAT32,
            data: bytesOf(bias),
          });
        }
        const padding = tflitePadding(c);
        const l = shapes.get(c.name)!;
        x = graph.op(
          {
            op: BuiltinOperator.CONV_2D,
            version: int8 ? 3 : 1,
            inputs: [x, w, b],
            options: {
              type: BuiltinOptions.Conv2DOptions,
              write: (builder) =>
                Conv2DOptions.createConv2DOptions(
                  builder,
                  padding,
                  c.stride,
                  c.stride,
                  ActivationFunctionType.RELU,
                  1,
                  1,
                  TensorType.FLOAT32, // quantized_bias_type: the default (int32 biases for int8)
                ),
            },
          },
          activation(name, [1, l.outSize, l.outSize, l.outChannels], outScale),
        );
        scale = outScale;
        channels = l.outChannels;
        size = l.outSize;
      }
    } else if (stage.kind === 'maxpool') {
      const l = shapes.get(`${stage.index}`)!;
      // PyTorch's MaxPool2d(3, 2): no padding, floor mode, which is VALID. int8: the same scale and zero point in
      // and out (the maximum of int8 values is one of them), as TFLite requires.
      x = graph.op(
        {
          op: BuiltinOperator.MAX_POOL_2D,
          version: int8 ? 2 : 1,
          inputs: [x],
          options: {
            type: BuiltinOptions.Pool2DOptions,
            write: (builder) =>
              Pool2DOptions.createPool2DOptions(
                builder,
                Padding.VALID,
                stage.stride,
                stage.stride,
                stage.window,
                stage.window,
                ActivationFunctionType.NONE,
              ),
          },
        },
        activation(`${stage.index}.maxpool`, [1, l.outSize, l.outSize, channels], scale),
      );
      size = l.outSize;
    } else if (stage.kind === 'global-avg-pool') {
      // AdaptiveAvgPool2d((1, 1)): the mean over H and W, kept as [1, 1, 1, C] (what XNNPACK's MEAN takes).
      // int8: MEAN rescales to the logits' own calibrated range, far narrower than the last conv's.
      const axes = int32Constant(`${stage.index}.axes`, [1, 2]);
      if (int8) scale = activationScaleOf(quantization, NIN_LOGITS_ACTIVATION);
      x = graph.op(
        {
          op: BuiltinOperator.MEAN,
          version: int8 ? 2 : 1,
          inputs: [x, axes],
          options: {
            type: BuiltinOptions.ReducerOptions,
            write: (builder) => ReducerOptions.createReducerOptions(builder, true),
          },
        },
        activation(`${stage.index}.mean`, [1, 1, 1, channels], scale),
      );
      size = 1;
    }
  }
  if (size !== 1 || channels !== NUM_CLASSES)
    throw new Error(`internal error: the NiN ends in ${size}x${size}x${channels}`);
  // nn.Flatten(): [1, 1, 1, 10] -> [1, 10]; int8 keeps the scale (RESHAPE moves bytes only).
  const newShape = [1, NUM_CLASSES];
  const shapeTensor = int32Constant('9.shape', newShape);
  x = graph.op(
    {
      op: BuiltinOperator.RESHAPE,
      version: 1,
      inputs: [x, shapeTensor],
      options: {
        type: BuiltinOptions.ReshapeOptions,
        write: (builder) =>
          ReshapeOptions.createReshapeOptions(builder, ReshapeOptions.createNewShapeVector(builder, newShape)),
      },
    },
    activation(int8 ? `${NIN_TFLITE_OUTPUT}.quantized` : NIN_TFLITE_OUTPUT, newShape, scale),
  );
  if (int8)
    x = graph.op(
      { op: BuiltinOperator.DEQUANTIZE, version: 2, inputs: [x] },
      { name: NIN_TFLITE_OUTPUT, shape: newShape, type: TensorType.FLOAT32 },
    );

  return writeTflite({
    description: `d2l's Network-in-Network for Fashion-MNIST (PyTorch nn.Sequential in eval mode)${int8 ? ', int8' : ''}`,
    tensors: graph.tensors,
    operators: graph.operators,
    inputs: [input],
    outputs: [x],
    metadata: {
      input_size: String(inputSize),
      layout: `input NHWC [1, ${inputSize}, ${inputSize}, 1] float32 -> logits [1, ${NUM_CLASSES}] float32`,
      // What a consumer must do to an image before `input`; see data/preprocess.ts.
      preprocessing: `8-bit grayscale, resized PIL-bilinear to ${inputSize}x${inputSize}, divided by 255 (torchvision Resize + ToTensor)`,
      classes: JSON.stringify(FASHION_MNIST_CLASSES),
      ...(quantization ? { quantization: JSON.stringify(describeTfliteQuantization(quantization)) } : {}),
      ...metadata,
    },
  });
}

/** The int8 model's `quantization` metadata entry: how it computes, and every activation scale. */
export function describeTfliteQuantization(q: NinQuantization): Record<string, unknown> {
  return {
    format: 'TFLite int8: QUANTIZE in, DEQUANTIZE out, every op int8 (XNNPACK QS8)',
    weights: 'int8, symmetric, one scale per output channel (max |w| / 127), quantized_dimension 0 of OHWI',
    activations:
      `int8, zero point ${NIN_TFLITE_INT8_ZERO_POINT}, scale s: the range [0, 255 s]; ` +
      "max-pool and reshape keep their input's, MEAN writes at the logits' scale",
    biases: 'int32 at scale s_input * s_weight',
    inputScale: NIN_INPUT_SCALE,
    activationScales: Object.fromEntries(ninCalibrationTensors().map((name) => [name, q.activationScales[name]])),
  };
}
