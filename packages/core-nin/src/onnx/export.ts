import onnxProto from 'onnx-proto';
import { NIN_STAGES, NUM_CLASSES, assertInputSize, layerShapes } from '../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { checkStateDict, type StateDict } from '../weights/state-dict.ts';
import { quantizeBias, quantizeWeightsPerChannel } from '../quantize/int8.ts';
import { NIN_INPUT_SCALE, ninActivationNames, type NinQuantization } from '../quantize/calibrate.ts';

// Shared with the TFLite writer (quantize/calibrate.ts); exported here too, where the ONNX side has always found them.
export { NIN_INPUT_SCALE, ninActivationNames, type NinQuantization };

// onnx-proto is CommonJS (protobufjs static code generated from onnx.proto): a default import works under
// Node's ESM loader, vitest and bundlers alike, where a named import would not.
const { onnx } = onnxProto;

/** ONNX opset the graph is written for: every op used (Conv, Relu, MaxPool, GlobalAveragePool, Flatten) is unchanged from 13 to 17+. */
export const NIN_ONNX_OPSET = 13;
/** IR version 8 (ONNX 1.10+), the newest onnx-proto's schema knows; onnxruntime and onnx >= 1.10 read it. */
export const NIN_ONNX_IR_VERSION = 8;
export const NIN_ONNX_INPUT = 'input';
export const NIN_ONNX_OUTPUT = 'logits';

export interface NinOnnxOptions {
  /** Square input side in pixels (the size the weights were trained at). */
  readonly inputSize: number;
  /** A fixed batch size, or `'dynamic'` (default) for a symbolic `batch` dimension. */
  readonly batch?: number | 'dynamic';
  /** Extra `metadata_props` entries (e.g. the weights' description). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Also output every activation that int8 calibration measures ({@link ninActivationNames}: each conv's ReLU
   * output), beside `logits`: the float model calibration runs. `'tensors'`: each one whole (float32 NCHW);
   * `'max'`: only its maximum over the batch (a scalar, ReduceMax in the graph), which is all the `max`
   * statistic needs and spares copying megabytes per image out of the engine (5x faster at 224 px).
   */
  readonly exposeActivations?: 'tensors' | 'max';
  /** Write the int8 QDQ model with these activation scales instead of the float32 one. */
  readonly quantization?: NinQuantization;
}

type Dim = number | string;

function tensorValueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  // every graph input and output is float32 (the int8 model quantises inside)
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function intsAttribute(name: string, ints: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

function intAttribute(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

/** Tensor data as little-endian bytes (the `raw_data` encoding ONNX requires; every platform we run on is little-endian). */
function rawBytes(data: Float32Array | Int8Array | Uint8Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Writes the NiN as an ONNX ModelProto: the same graph as d2l's `nn.Sequential` in eval mode (dropout is the
 * identity there, so it is left out), input `input` float32 NCHW `[N, 1, S, S]`, output `logits` `[N, 10]`, the
 * state_dict's OIHW weights as initializers under their PyTorch names. Pure JS, no Node built-ins.
 */
export function encodeNinOnnx(stateDict: StateDict, options: NinOnnxOptions): Uint8Array {
  const { inputSize, batch = 'dynamic', metadata = {} } = options;
  assertInputSize(inputSize);
  if (batch !== 'dynamic' && !(Number.isInteger(batch) && batch >= 1)) {
    throw new RangeError(`ONNX batch must be a positive integer or "dynamic", got ${String(batch)}`);
  }
  checkStateDict(stateDict);
  const n: Dim = batch === 'dynamic' ? 'batch' : batch;

  const { quantization, exposeActivations } = options;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  const activationOutputs: onnxProto.onnx.IValueInfoProto[] = [];
  const shapes = new Map(layerShapes(inputSize).map((l) => [l.stage, l]));
  let x = NIN_ONNX_INPUT;
  const add = (
    opType: string,
    name: string,
    inputs: string[],
    attribute: onnxProto.onnx.IAttributeProto[] = [],
  ): string => {
    const output = `${name}.${opType.toLowerCase()}`;
    nodes.push({ opType, name: `${name}.${opType}`, input: inputs, output: [output], attribute });
    return output;
  };
  const constant = (
    name: string,
    dataType: number,
    dims: number[],
    data: Float32Array | Int8Array | Uint8Array | Int32Array,
  ): string => {
    initializer.push({ name, dataType, dims, rawData: rawBytes(data) });
    return name;
  };
  // QDQ: a QuantizeLinear/DequantizeLinear pair marks where ONNX Runtime computes in uint8 (scale s, zero point 0).
  let scale = NIN_INPUT_SCALE;
  const qdq = (tensor: string, s: number): string => {
    const sName = constant(`${tensor}.scale`, onnx.TensorProto.DataType.FLOAT, [], new Float32Array([s]));
    const zName = constant(`${tensor}.zero_point`, onnx.TensorProto.DataType.UINT8, [], new Uint8Array(1));
    nodes.push({
      opType: 'QuantizeLinear',
      name: `${tensor}.QuantizeLinear`,
      input: [tensor, sName, zName],
      output: [`${tensor}.quantized`],
    });
    nodes.push({
      opType: 'DequantizeLinear',
      name: `${tensor}.DequantizeLinear`,
      input: [`${tensor}.quantized`, sName, zName],
      output: [`${tensor}.dequantized`],
    });
    return `${tensor}.dequantized`;
  };
  // A per-output-channel DequantizeLinear (axis 0) of a stored integer tensor.
  const dequantized = (
    name: string,
    dataType: number,
    dims: number[],
    values: Int8Array | Int32Array,
    scales: Float32Array,
  ): string => {
    constant(`${name}_quantized`, dataType, dims, values);
    constant(`${name}_scale`, onnx.TensorProto.DataType.FLOAT, [scales.length], scales);
    constant(
      `${name}_zero_point`,
      dataType,
      [scales.length],
      dataType === onnx.TensorProto.DataType.INT8 ? new Int8Array(scales.length) : new Int32Array(scales.length),
    );
    nodes.push({
      opType: 'DequantizeLinear',
      name: `${name}.DequantizeLinear`,
      input: [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`],
      output: [name],
      attribute: [intAttribute('axis', 0)],
    });
    return name;
  };
  if (quantization) x = qdq(x, NIN_INPUT_SCALE);
  for (const stage of NIN_STAGES) {
    switch (stage.kind) {
      case 'block':
        for (const c of stage.block.convs) {
          const p = c.padding;
          const wName = `${c.name}.weight`;
          const bName = `${c.name}.bias`;
          const wDims = [c.outChannels, c.inChannels, c.kernel, c.kernel];
          const weight = stateDict.get(wName)!.data;
          const bias = stateDict.get(bName)!.data;
          let w: string;
          let b: string;
          if (quantization) {
            const qw = quantizeWeightsPerChannel(weight, c.outChannels);
            const qb = quantizeBias(bias, scale, qw.scales);
            w = dequantized(wName, onnx.TensorProto.DataType.INT8, wDims, qw.values, qw.scales);
            b = dequantized(bName, onnx.TensorProto.DataType.INT32, [c.outChannels], qb.values, qb.scales);
          } else {
            w = constant(wName, onnx.TensorProto.DataType.FLOAT, wDims, weight);
            b = constant(bName, onnx.TensorProto.DataType.FLOAT, [c.outChannels], bias);
          }
          x = add(
            'Conv',
            c.name,
            [x, w, b],
            [
              intsAttribute('kernel_shape', [c.kernel, c.kernel]),
              intsAttribute('strides', [c.stride, c.stride]),
              intsAttribute('pads', [p, p, p, p]),
              intsAttribute('dilations', [1, 1]),
              intAttribute('group', 1),
            ],
          );
          x = add('Relu', c.name, [x]);
          if (exposeActivations === 'tensors') {
            const l = shapes.get(c.name)!;
            activationOutputs.push(tensorValueInfo(x, [n, l.outChannels, l.outSize, l.outSize]));
          } else if (exposeActivations === 'max') {
            nodes.push({
              opType: 'ReduceMax',
              name: `${x}.ReduceMax`,
              input: [x],
              output: [`${x}.max`],
              attribute: [intAttribute('keepdims', 0)],
            });
            activationOutputs.push(tensorValueInfo(`${x}.max`, []));
          }
          if (quantization) {
            const s = quantization.activationScales[x];
            if (!(s > 0) || !Number.isFinite(s))
              throw new RangeError(`int8 ONNX: no valid activation scale for ${x} (got ${String(s)})`);
            scale = Math.fround(s);
            x = qdq(x, scale);
          }
        }
        break;
      case 'maxpool':
        // PyTorch's MaxPool2d(3, 2): no padding, floor mode (ceil_mode 0).
        x = add(
          'MaxPool',
          `${stage.index}`,
          [x],
          [
            intsAttribute('kernel_shape', [stage.window, stage.window]),
            intsAttribute('strides', [stage.stride, stage.stride]),
            intsAttribute('pads', [0, 0, 0, 0]),
            intAttribute('ceil_mode', 0),
          ],
        );
        // The maximum of uint8 values is one of them: the same scale, so ONNX Runtime pools in uint8.
        if (quantization) x = qdq(x, scale);
        break;
      case 'dropout':
        break; // identity at inference, as in model.eval()
      case 'global-avg-pool':
        x = add('GlobalAveragePool', `${stage.index}`, [x]);
        break;
    }
  }
  // nn.Flatten() after AdaptiveAvgPool2d((1,1)): [N, 10, 1, 1] -> [N, 10].
  nodes.push({
    opType: 'Flatten',
    name: '9.Flatten',
    input: [x],
    output: [NIN_ONNX_OUTPUT],
    attribute: [intAttribute('axis', 1)],
  });

  const model: onnxProto.onnx.IModelProto = {
    irVersion: NIN_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: NIN_ONNX_OPSET }],
    producerName: 'nin-bench',
    producerVersion: '0.1.0',
    docString: `d2l's Network-in-Network for Fashion-MNIST (PyTorch nn.Sequential in eval mode)${quantization ? ', int8 QDQ' : ''}`,
    graph: {
      name: 'd2l-nin',
      node: nodes,
      initializer,
      input: [tensorValueInfo(NIN_ONNX_INPUT, [n, 1, inputSize, inputSize])],
      output: [tensorValueInfo(NIN_ONNX_OUTPUT, [n, NUM_CLASSES]), ...activationOutputs],
    },
    metadataProps: Object.entries({
      input_size: String(inputSize),
      // What a consumer must do to an image before `input`; see data/preprocess.ts.
      preprocessing: `8-bit grayscale, resized PIL-bilinear to ${inputSize}x${inputSize}, divided by 255 (torchvision Resize + ToTensor)`,
      classes: JSON.stringify(FASHION_MNIST_CLASSES),
      ...(quantization ? { quantization: JSON.stringify(describeQuantization(quantization)) } : {}),
      ...metadata,
    }).map(([key, value]) => ({ key, value })),
  };
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`internal error: invalid ONNX ModelProto: ${err}`);
  const bytes = onnx.ModelProto.encode(model).finish();
  // protobufjs hands back a Node Buffer on Node; callers get a plain Uint8Array everywhere.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The int8 model's `quantization` metadata entry: how it computes, and every activation scale. */
export function describeQuantization(q: NinQuantization): Record<string, unknown> {
  return {
    format: 'QDQ (QuantizeLinear/DequantizeLinear), ONNX opset 13',
    weights: 'int8, symmetric, one scale per output channel (max |w| / 127)',
    activations: 'uint8, zero point 0',
    biases: 'int32 at scale s_input * s_weight',
    inputScale: NIN_INPUT_SCALE,
    activationScales: Object.fromEntries(ninActivationNames().map((name) => [name, q.activationScales[name]])),
  };
}
