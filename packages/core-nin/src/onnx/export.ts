import onnxProto from 'onnx-proto';
import { NIN_STAGES, NIN_TENSORS, NUM_CLASSES, assertInputSize } from '../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { checkStateDict, type StateDict } from '../weights/state-dict.ts';

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
}

type Dim = number | string;

function tensorValueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
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

/** Float32 data as little-endian bytes (the `raw_data` encoding ONNX requires; every platform we run on is little-endian). */
function rawFloat32(data: Float32Array): Uint8Array {
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

  const nodes: onnxProto.onnx.INodeProto[] = [];
  let x = NIN_ONNX_INPUT;
  const add = (opType: string, name: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): string => {
    const output = `${name}.${opType.toLowerCase()}`;
    nodes.push({ opType, name: `${name}.${opType}`, input: inputs, output: [output], attribute });
    return output;
  };
  for (const stage of NIN_STAGES) {
    switch (stage.kind) {
      case 'block':
        for (const c of stage.block.convs) {
          const p = c.padding;
          x = add('Conv', c.name, [x, `${c.name}.weight`, `${c.name}.bias`], [
            intsAttribute('kernel_shape', [c.kernel, c.kernel]),
            intsAttribute('strides', [c.stride, c.stride]),
            intsAttribute('pads', [p, p, p, p]),
            intsAttribute('dilations', [1, 1]),
            intAttribute('group', 1),
          ]);
          x = add('Relu', c.name, [x]);
        }
        break;
      case 'maxpool':
        // PyTorch's MaxPool2d(3, 2): no padding, floor mode (ceil_mode 0).
        x = add('MaxPool', `${stage.index}`, [x], [
          intsAttribute('kernel_shape', [stage.window, stage.window]),
          intsAttribute('strides', [stage.stride, stage.stride]),
          intsAttribute('pads', [0, 0, 0, 0]),
          intAttribute('ceil_mode', 0),
        ]);
        break;
      case 'dropout':
        break; // identity at inference, as in model.eval()
      case 'global-avg-pool':
        x = add('GlobalAveragePool', `${stage.index}`, [x]);
        break;
    }
  }
  // nn.Flatten() after AdaptiveAvgPool2d((1,1)): [N, 10, 1, 1] -> [N, 10].
  nodes.push({ opType: 'Flatten', name: '9.Flatten', input: [x], output: [NIN_ONNX_OUTPUT], attribute: [intAttribute('axis', 1)] });

  const initializer: onnxProto.onnx.ITensorProto[] = NIN_TENSORS.map((spec) => ({
    name: spec.name,
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims: [...spec.shape],
    rawData: rawFloat32(stateDict.get(spec.name)!.data),
  }));

  const model: onnxProto.onnx.IModelProto = {
    irVersion: NIN_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: NIN_ONNX_OPSET }],
    producerName: 'nin-bench',
    producerVersion: '0.1.0',
    docString: "d2l's Network-in-Network for Fashion-MNIST (PyTorch nn.Sequential in eval mode)",
    graph: {
      name: 'd2l-nin',
      node: nodes,
      initializer,
      input: [tensorValueInfo(NIN_ONNX_INPUT, [n, 1, inputSize, inputSize])],
      output: [tensorValueInfo(NIN_ONNX_OUTPUT, [n, NUM_CLASSES])],
    },
    metadataProps: Object.entries({
      input_size: String(inputSize),
      // What a consumer must do to an image before `input`; see data/preprocess.ts.
      preprocessing: `8-bit grayscale, resized PIL-bilinear to ${inputSize}x${inputSize}, divided by 255 (torchvision Resize + ToTensor)`,
      classes: JSON.stringify(FASHION_MNIST_CLASSES),
      ...metadata,
    }).map(([key, value]) => ({ key, value })),
  };
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`internal error: invalid ONNX ModelProto: ${err}`);
  const bytes = onnx.ModelProto.encode(model).finish();
  // protobufjs hands back a Node Buffer on Node; callers get a plain Uint8Array everywhere.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
