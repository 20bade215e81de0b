// A `.tflite` file from a plain description of one graph: the FlatBuffers layout of LiteRT's schema.fbs, written
// with the code flatc generated from it (schema/). Knows nothing of the NiN (export.ts says what the graph is).
// Worker-safe: no Node built-ins.
import * as flatbuffers from 'flatbuffers';
import {
  Buffer,
  BuiltinOperator,
  BuiltinOptions,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  QuantizationParameters,
  SignatureDef,
  SubGraph,
  Tensor,
  TensorMap,
  TensorType,
} from './schema/schema_generated.ts';

/** The schema version every current `.tflite` file declares (Model.version). */
export const TFLITE_SCHEMA_VERSION = 3;
/** The file identifier of the schema (bytes 4-7 of every `.tflite` file). */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';
/**
 * Where each constant tensor's bytes start, relative to the file's start: LiteRT reads weights in place (a
 * float32 or int32 read needs at least 4; 16 is what LiteRT's own converter aligns buffers to).
 */
export const TFLITE_BUFFER_ALIGNMENT = 16;

/** Affine quantisation: real = scale * (q - zeroPoint), per tensor (one scale) or per `quantizedDimension`. */
export interface TfliteQuantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension?: number;
}

export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TensorType;
  /** a constant's bytes (little-endian, row-major in `shape`); none for activations */
  readonly data?: Uint8Array;
  readonly quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  readonly op: BuiltinOperator;
  /** the op's version for its input and output types (what LiteRT's converter would write) */
  readonly version: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** the op's builtin options table, written by the generated `create*Options` */
  readonly options?: { readonly type: BuiltinOptions; write(builder: flatbuffers.Builder): flatbuffers.Offset };
}

export interface TfliteGraph {
  /** Model.description */
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  /** in execution order */
  readonly operators: readonly TfliteOperator[];
  /** the signature's inputs and outputs: its names are the tensors' names */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Model.metadata: each value in a buffer of its own (text as UTF-8) */
  readonly metadata?: Readonly<Record<string, string | Uint8Array>>;
}

/** The signature every model gets (the name LiteRT's converter gives a model's only signature). */
export const TFLITE_SIGNATURE_KEY = 'serving_default';

const utf8 = new TextEncoder();

/** A buffer's data vector with its first byte at a multiple of TFLITE_BUFFER_ALIGNMENT from the file's start. */
function alignedBytes(builder: flatbuffers.Builder, bytes: Uint8Array): flatbuffers.Offset {
  // FlatBuffers builds back to front: prep aligns the end of what comes next, and `finish` pads the whole file to
  // the largest alignment asked for, so an offset aligned from the end is aligned from the start as well.
  builder.prep(TFLITE_BUFFER_ALIGNMENT, bytes.byteLength);
  return builder.createByteVector(bytes);
}

function int32Vector(builder: flatbuffers.Builder, values: readonly number[]): flatbuffers.Offset {
  builder.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) builder.addInt32(values[i]);
  return builder.endVector();
}

function writeQuantization(builder: flatbuffers.Builder, q: TfliteQuantization): flatbuffers.Offset {
  if (q.scale.length !== q.zeroPoint.length || q.scale.length === 0)
    throw new RangeError(
      `quantization needs one zero point per scale, got ${q.scale.length} and ${q.zeroPoint.length}`,
    );
  const scale = QuantizationParameters.createScaleVector(builder, [...q.scale]);
  const zeroPoint = QuantizationParameters.createZeroPointVector(
    builder,
    q.zeroPoint.map((z) => BigInt(z)),
  );
  QuantizationParameters.startQuantizationParameters(builder);
  QuantizationParameters.addScale(builder, scale);
  QuantizationParameters.addZeroPoint(builder, zeroPoint);
  QuantizationParameters.addQuantizedDimension(builder, q.quantizedDimension ?? 0);
  return QuantizationParameters.endQuantizationParameters(builder);
}

/** Serialises `graph` as a one-subgraph `.tflite` model with one signature. */
export function writeTflite(graph: TfliteGraph): Uint8Array {
  const metadata = Object.entries(graph.metadata ?? {});
  const size = graph.tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
  const builder = new flatbuffers.Builder(size + 64 * 1024);

  // Buffers: 0 is the empty one every activation points at (the schema reserves it); then each constant's, then
  // each metadata value's. Written first, they end up last in the file (FlatBuffers builds back to front), after
  // the tables that describe the graph, as in the files LiteRT's converter writes.
  const bufferOf: number[] = [];
  const buffers: flatbuffers.Offset[] = [Buffer.createBuffer(builder, 0, 0n, 0n)];
  graph.tensors.forEach((t, i) => {
    if (!t.data) return void (bufferOf[i] = 0);
    bufferOf[i] = buffers.length;
    buffers.push(Buffer.createBuffer(builder, alignedBytes(builder, t.data), 0n, 0n));
  });
  const metadataBuffer = metadata.map(([, value]) => {
    const data = typeof value === 'string' ? utf8.encode(value) : value;
    buffers.push(Buffer.createBuffer(builder, alignedBytes(builder, data), 0n, 0n));
    return buffers.length - 1;
  });

  const tensors = graph.tensors.map((t, i) => {
    const shape = int32Vector(builder, t.shape);
    const name = builder.createString(t.name);
    const quantization = t.quantization ? writeQuantization(builder, t.quantization) : 0;
    Tensor.startTensor(builder);
    Tensor.addShape(builder, shape);
    Tensor.addType(builder, t.type);
    Tensor.addBuffer(builder, bufferOf[i]);
    Tensor.addName(builder, name);
    if (quantization) Tensor.addQuantization(builder, quantization);
    Tensor.addHasRank(builder, true);
    return Tensor.endTensor(builder);
  });

  // One OperatorCode per (op, version), in order of first use.
  const codes: { op: BuiltinOperator; version: number }[] = [];
  const codeIndex = (op: BuiltinOperator, version: number): number => {
    const found = codes.findIndex((c) => c.op === op && c.version === version);
    return found >= 0 ? found : codes.push({ op, version }) - 1;
  };
  const operators = graph.operators.map((o) => {
    const opcodeIndex = codeIndex(o.op, o.version);
    const inputs = int32Vector(builder, o.inputs);
    const outputs = int32Vector(builder, o.outputs);
    const options = o.options ? o.options.write(builder) : 0;
    Operator.startOperator(builder);
    Operator.addOpcodeIndex(builder, opcodeIndex);
    Operator.addInputs(builder, inputs);
    Operator.addOutputs(builder, outputs);
    if (o.options) {
      Operator.addBuiltinOptionsType(builder, o.options.type);
      Operator.addBuiltinOptions(builder, options);
    }
    return Operator.endOperator(builder);
  });
  const operatorCodes = codes.map(({ op, version }) =>
    // deprecated_builtin_code is the byte readers older than 2.4 look at; 127 means "read builtin_code"
    OperatorCode.createOperatorCode(
      builder,
      Math.min(op, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES),
      0,
      version,
      op,
    ),
  );

  const subgraph = SubGraph.createSubGraph(
    builder,
    SubGraph.createTensorsVector(builder, tensors),
    int32Vector(builder, graph.inputs),
    int32Vector(builder, graph.outputs),
    SubGraph.createOperatorsVector(builder, operators),
    builder.createString('main'),
    0,
  );
  const tensorMaps = (indices: readonly number[]) =>
    indices.map((index) => TensorMap.createTensorMap(builder, builder.createString(graph.tensors[index].name), index));
  const signature = SignatureDef.createSignatureDef(
    builder,
    SignatureDef.createInputsVector(builder, tensorMaps(graph.inputs)),
    SignatureDef.createOutputsVector(builder, tensorMaps(graph.outputs)),
    builder.createString(TFLITE_SIGNATURE_KEY),
    0,
  );
  const metadataTables = metadata.map(([name], i) =>
    Metadata.createMetadata(builder, builder.createString(name), metadataBuffer[i]),
  );

  const model = Model.createModel(
    builder,
    TFLITE_SCHEMA_VERSION,
    Model.createOperatorCodesVector(builder, operatorCodes),
    Model.createSubgraphsVector(builder, [subgraph]),
    builder.createString(graph.description),
    Model.createBuffersVector(builder, buffers),
    0,
    Model.createMetadataVector(builder, metadataTables),
    Model.createSignatureDefsVector(builder, [signature]),
    0,
    0,
  );
  Model.finishModelBuffer(builder, model);
  return builder.asUint8Array().slice();
}

/**
 * The model of a `.tflite` file, read in place (the generated reader; fields are read when asked for). RangeError
 * when the bytes are not one or its root cannot be read.
 */
export function readTflite(bytes: Uint8Array): Model {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (bytes.byteLength < 8 || !Model.bufferHasIdentifier(bb))
    throw new RangeError(`not a .tflite model (no "${TFLITE_FILE_IDENTIFIER}" file identifier)`);
  try {
    const model = Model.getRootAsModel(bb);
    model.version(); // reads the root table's vtable: a truncated or garbled file fails here
    return model;
  } catch (e) {
    throw new RangeError(`not a readable .tflite model (${(e as Error).message})`);
  }
}

export { TensorType };
