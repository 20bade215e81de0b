import { describe, expect, it } from 'vitest';
import { NIN_CONVS, layerShapes, type ConvSpec } from '../model/architecture.ts';
import { WeightsError } from '../weights/errors.ts';
import { signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { NIN_INPUT_SCALE, NIN_LOGITS_ACTIVATION, ninCalibrationTensors } from '../quantize/calibrate.ts';
import { quantizeBias, quantizeWeightsPerChannel } from '../quantize/int8.ts';
import { NIN_TFLITE_INT8_ZERO_POINT, encodeNinTflite, tflitePadding } from './export.ts';
import { readTfliteMetadata } from './metadata.ts';
// read back with the generated reader only (not with the writer's types)
import * as schema from './schema/schema_generated.ts';
import { TFLITE_BUFFER_ALIGNMENT, readTflite } from './writer.ts';

const stateDict = signalPreservingStateDict(5);
const SIZE = 100;

/** The graph a `.tflite` file holds, read back with the generated reader only (not with the writer's types). */
function readBack(bytes: Uint8Array) {
  const model = readTflite(bytes);
  const graph = model.subgraphs(0)!;
  const tensor = (i: number) => graph.tensors(i)!;
  const ops = Array.from({ length: graph.operatorsLength() }, (_, i) => {
    const op = graph.operators(i)!;
    const code = model.operatorCodes(op.opcodeIndex())!;
    return { op, code: code.builtinCode(), name: schema.BuiltinOperator[code.builtinCode()], version: code.version() };
  });
  const byName = new Map(Array.from({ length: graph.tensorsLength() }, (_, i) => [tensor(i).name()!, tensor(i)]));
  return { model, graph, tensor, ops, byName };
}

function data(model: schema.Model, t: schema.Tensor): Uint8Array {
  return model.buffers(t.buffer())!.dataArray()!;
}

function floats(model: schema.Model, t: schema.Tensor): Float32Array {
  const bytes = data(model, t);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function quantization(t: schema.Tensor) {
  const q = t.quantization();
  if (!q) return null;
  return {
    scale: [...q.scaleArray()!],
    zeroPoint: Array.from({ length: q.zeroPointLength() }, (_, z) => Number(q.zeroPoint(z))),
    dim: q.quantizedDimension(),
  };
}

/** TFLite's output size of a window op (lite/kernels/padding.h) and SAME's padding before the first row. */
function tfliteWindow(size: number, kernel: number, stride: number, padding: schema.Padding) {
  const out = padding === schema.Padding.SAME ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
  const before =
    padding === schema.Padding.SAME ? Math.max(0, Math.floor(((out - 1) * stride + kernel - size) / 2)) : 0;
  return { out, before };
}

const BLOCK_OPS = ['CONV_2D', 'CONV_2D', 'CONV_2D'];
const FLOAT_OPS = [...[0, 1, 2].flatMap(() => [...BLOCK_OPS, 'MAX_POOL_2D']), ...BLOCK_OPS, 'MEAN', 'RESHAPE'];

describe('encodeNinTflite: float32', () => {
  const bytes = encodeNinTflite(stateDict, { inputSize: SIZE, metadata: { nin_manifest: '{"storage":"float32"}' } });
  const { model, graph, tensor, ops, byName } = readBack(bytes);

  it('writes the NiN graph: float32 NHWC input [1,S,S,1], logits [1,10], the ops in order, one signature', () => {
    expect(model.version()).toBe(3);
    expect(ops.map((o) => o.name)).toEqual(FLOAT_OPS);
    expect(ops.every((o) => o.version === 1)).toBe(true);
    const input = tensor(graph.inputs(0)!);
    const output = tensor(graph.outputs(0)!);
    expect([input.name(), [...input.shapeArray()!], input.type()]).toEqual([
      'input',
      [1, SIZE, SIZE, 1],
      schema.TensorType.FLOAT32,
    ]);
    expect([output.name(), [...output.shapeArray()!], output.type()]).toEqual([
      'logits',
      [1, 10],
      schema.TensorType.FLOAT32,
    ]);
    const signature = model.signatureDefs(0)!;
    expect([signature.signatureKey(), signature.inputs(0)!.name(), signature.outputs(0)!.name()]).toEqual([
      'serving_default',
      'input',
      'logits',
    ]);
    for (let i = 0; i < graph.tensorsLength(); i++) expect(tensor(i).type()).not.toBe(schema.TensorType.INT8);
    // every activation's shape is PyTorch's for the layer
    for (const l of layerShapes(SIZE)) {
      const name = l.stage.includes('.') ? `${l.stage}.relu` : `${l.stage}.maxpool`;
      expect([...byName.get(name)!.shapeArray()!]).toEqual([1, l.outSize, l.outSize, l.outChannels]);
    }
  });

  it('stores every filter OHWI and every bias as the state_dict has them, 16-byte aligned in the file', () => {
    for (const c of NIN_CONVS) {
      const w = byName.get(`${c.name}.weight`)!;
      const [o, i, k] = [c.outChannels, c.inChannels, c.kernel];
      expect([...w.shapeArray()!]).toEqual([o, k, k, i]);
      const stored = floats(model, w);
      const oihw = stateDict.get(`${c.name}.weight`)!.data;
      let mismatches = 0;
      for (let a = 0; a < o; a++)
        for (let b = 0; b < i; b++)
          for (let y = 0; y < k; y++)
            for (let x = 0; x < k; x++)
              if (stored[((a * k + y) * k + x) * i + b] !== oihw[((a * i + b) * k + y) * k + x]) mismatches++;
      expect(mismatches).toBe(0);
      expect(floats(model, byName.get(`${c.name}.bias`)!)).toEqual(stateDict.get(`${c.name}.bias`)!.data);
      for (const t of [w, byName.get(`${c.name}.bias`)!]) {
        const d = data(model, t);
        expect((d.byteOffset - bytes.byteOffset) % TFLITE_BUFFER_ALIGNMENT).toBe(0);
      }
    }
  });

  it('convolves as PyTorch pads: VALID for 11x11/4 and 1x1, SAME for the stride-1 5x5 and 3x3, fused ReLU', () => {
    const convs = ops.filter((o) => o.name === 'CONV_2D');
    expect(convs).toHaveLength(NIN_CONVS.length);
    convs.forEach(({ op }, i) => {
      const c = NIN_CONVS[i];
      const options = op.builtinOptions(new schema.Conv2DOptions()) as schema.Conv2DOptions;
      expect(tensor(op.inputs(1)!).name()).toBe(`${c.name}.weight`);
      expect([options.padding(), options.strideH(), options.strideW(), options.fusedActivationFunction()]).toEqual([
        c.padding === 0 ? schema.Padding.VALID : schema.Padding.SAME,
        c.stride,
        c.stride,
        schema.ActivationFunctionType.RELU,
      ]);
      expect([options.dilationHFactor(), options.dilationWFactor()]).toEqual([1, 1]);
    });
    for (const { op } of ops.filter((o) => o.name === 'MAX_POOL_2D')) {
      const p = op.builtinOptions(new schema.Pool2DOptions()) as schema.Pool2DOptions;
      expect([p.padding(), p.filterHeight(), p.filterWidth(), p.strideH(), p.strideW()]).toEqual([
        schema.Padding.VALID,
        3,
        3,
        2,
        2,
      ]);
      expect(p.fusedActivationFunction()).toBe(schema.ActivationFunctionType.NONE);
    }
    const mean = ops.find((o) => o.name === 'MEAN')!.op;
    const axes = tensor(mean.inputs(1)!);
    expect([axes.type(), [...new Int32Array(data(model, axes).slice().buffer)]]).toEqual([
      schema.TensorType.INT32,
      [1, 2],
    ]);
    expect((mean.builtinOptions(new schema.ReducerOptions()) as schema.ReducerOptions).keepDims()).toBe(true);
    const reshape = ops.find((o) => o.name === 'RESHAPE')!.op;
    expect([
      ...(reshape.builtinOptions(new schema.ReshapeOptions()) as schema.ReshapeOptions).newShapeArray()!,
    ]).toEqual([1, 10]);
    expect([...new Int32Array(data(model, tensor(reshape.inputs(1)!)).slice().buffer)]).toEqual([1, 10]);
  });

  it("SAME at stride 1 is PyTorch's symmetric padding (k-1)/2 for k = 5 and 3, at every input size", () => {
    const windows = (size: number) => {
      const sizes: number[] = [];
      for (const c of NIN_CONVS.slice(0, 3)) size = step(sizes, size, c);
      size = step(sizes, size, { kernel: 3, stride: 2, padding: 0, name: 'pool' });
      for (const c of NIN_CONVS.slice(3, 6)) size = step(sizes, size, c);
      size = step(sizes, size, { kernel: 3, stride: 2, padding: 0, name: 'pool' });
      for (const c of NIN_CONVS.slice(6, 9)) size = step(sizes, size, c);
      size = step(sizes, size, { kernel: 3, stride: 2, padding: 0, name: 'pool' });
      for (const c of NIN_CONVS.slice(9)) size = step(sizes, size, c);
      return sizes;
    };
    function step(sizes: number[], size: number, c: Pick<ConvSpec, 'name' | 'kernel' | 'stride' | 'padding'>) {
      const { out, before } = tfliteWindow(size, c.kernel, c.stride, tflitePadding(c));
      expect(before).toBe(c.padding);
      sizes.push(out);
      return out;
    }
    for (let size = 67; size <= 320; size++) expect(windows(size)).toEqual(layerShapes(size).map((l) => l.outSize));
    expect(() => tflitePadding({ name: 'x', kernel: 4, stride: 1, padding: 1 })).toThrow(/neither VALID nor SAME/);
    expect(() => tflitePadding({ name: 'x', kernel: 3, stride: 2, padding: 1 })).toThrow(RangeError);
  });

  it('records where it came from in its metadata, and no quantization entry', () => {
    const meta = readTfliteMetadata(bytes);
    expect(meta.input_size).toBe(String(SIZE));
    expect(meta.nin_manifest).toBe('{"storage":"float32"}');
    expect(JSON.parse(meta.classes)).toHaveLength(10);
    expect(meta.preprocessing).toMatch(/divided by 255/);
    expect(meta.quantization).toBeUndefined();
    expect(model.description()).toMatch(/Network-in-Network/);
  });

  it('rejects a too-small input and incomplete weights with clear errors', () => {
    expect(() => encodeNinTflite(stateDict, { inputSize: 40 })).toThrow(RangeError);
    const partial = new Map(stateDict);
    partial.delete('7.4.bias');
    expect(() => encodeNinTflite(partial, { inputSize: SIZE })).toThrow(WeightsError);
  });
});

describe('encodeNinTflite: int8', () => {
  // made-up scales, all different, so a tensor given another's scale is caught
  const activationScales = Object.fromEntries(
    ninCalibrationTensors().map((name, k) => [name, Math.fround(0.01 * (k + 1))]),
  );
  const bytes = encodeNinTflite(stateDict, { inputSize: SIZE, quantization: { activationScales } });
  const { model, graph, tensor, ops, byName } = readBack(bytes);
  const activation = (scale: number) => ({
    scale: [Math.fround(scale)],
    zeroPoint: [NIN_TFLITE_INT8_ZERO_POINT],
    dim: 0,
  });

  it('is fully integer between QUANTIZE and DEQUANTIZE, with the ops versions of int8', () => {
    expect(ops.map((o) => o.name)).toEqual(['QUANTIZE', ...FLOAT_OPS, 'DEQUANTIZE']);
    const versions = Object.fromEntries(ops.map((o) => [o.name, o.version]));
    expect(versions).toEqual({ QUANTIZE: 1, CONV_2D: 3, MAX_POOL_2D: 2, MEAN: 2, RESHAPE: 1, DEQUANTIZE: 2 });
    const input = tensor(graph.inputs(0)!);
    const output = tensor(graph.outputs(0)!);
    expect([input.name(), input.type(), [...input.shapeArray()!]]).toEqual([
      'input',
      schema.TensorType.FLOAT32,
      [1, SIZE, SIZE, 1],
    ]);
    expect([output.name(), output.type(), [...output.shapeArray()!]]).toEqual([
      'logits',
      schema.TensorType.FLOAT32,
      [1, 10],
    ]);
    // every tensor between the two is int8, but the constants: int32 biases, axes and shape
    const between = ops.slice(1, -1).flatMap(({ op }) => [...op.inputsArray()!, ...op.outputsArray()!]);
    for (const i of new Set(between)) {
      const t = tensor(i);
      const constant = t.buffer() > 0;
      expect([t.name(), t.type()]).toEqual([
        t.name(),
        constant && t.type() === schema.TensorType.INT32 ? schema.TensorType.INT32 : schema.TensorType.INT8,
      ]);
    }
    // k/255 -> k - 128
    expect(quantization(byName.get('input.quantized')!)).toEqual(activation(NIN_INPUT_SCALE));
  });

  it('stores per-channel symmetric int8 filters (OHWI, dimension 0) and int32 biases at s_input * s_weight', () => {
    let inputScale = NIN_INPUT_SCALE;
    for (const c of NIN_CONVS) {
      const oihw = stateDict.get(`${c.name}.weight`)!.data;
      const qw = quantizeWeightsPerChannel(oihw, c.outChannels);
      const qb = quantizeBias(stateDict.get(`${c.name}.bias`)!.data, inputScale, qw.scales);
      const w = byName.get(`${c.name}.weight`)!;
      const b = byName.get(`${c.name}.bias`)!;
      const zeros = new Array<number>(c.outChannels).fill(0);
      expect([w.type(), quantization(w)]).toEqual([
        schema.TensorType.INT8,
        { scale: [...qw.scales], zeroPoint: zeros, dim: 0 },
      ]);
      expect([b.type(), quantization(b)]).toEqual([
        schema.TensorType.INT32,
        { scale: [...qb.scales], zeroPoint: zeros, dim: 0 },
      ]);
      const bytes = data(model, w);
      const stored = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [o, i, k] = [c.outChannels, c.inChannels, c.kernel];
      let mismatches = 0;
      for (let a = 0; a < o; a++)
        for (let z = 0; z < i; z++)
          for (let y = 0; y < k; y++)
            for (let x = 0; x < k; x++)
              if (stored[((a * k + y) * k + x) * i + z] !== qw.values[((a * i + z) * k + y) * k + x]) mismatches++;
      expect(mismatches).toBe(0);
      expect(new Int32Array(data(model, b).slice().buffer)).toEqual(qb.values);
      expect(quantization(byName.get(`${c.name}.relu`)!)).toEqual(activation(activationScales[`${c.name}.relu`]));
      inputScale = activationScales[`${c.name}.relu`];
    }
  });

  it('keeps the scale through MAX_POOL_2D and RESHAPE, and MEAN writes at the logits scale', () => {
    for (const { op } of ops.filter((o) => ['MAX_POOL_2D', 'RESHAPE'].includes(o.name)))
      expect(quantization(tensor(op.outputs(0)!))).toEqual(quantization(tensor(op.inputs(0)!)));
    const mean = ops.find((o) => o.name === 'MEAN')!.op;
    expect(quantization(tensor(mean.inputs(0)!))).toEqual(activation(activationScales['7.4.relu']));
    expect(quantization(tensor(mean.outputs(0)!))).toEqual(activation(activationScales[NIN_LOGITS_ACTIVATION]));
    const dequantize = ops.at(-1)!.op;
    expect(tensor(dequantize.inputs(0)!).name()).toBe('logits.quantized');
  });

  it('says how it computes in its metadata, and needs a scale for every calibrated tensor', () => {
    const meta = JSON.parse(readTfliteMetadata(bytes).quantization);
    expect(meta.activationScales).toEqual(activationScales);
    expect(meta.inputScale).toBe(NIN_INPUT_SCALE);
    const without = { ...activationScales };
    delete without[NIN_LOGITS_ACTIVATION];
    expect(() => encodeNinTflite(stateDict, { inputSize: SIZE, quantization: { activationScales: without } })).toThrow(
      /no valid activation scale for logits/,
    );
    expect(() =>
      encodeNinTflite(stateDict, {
        inputSize: SIZE,
        quantization: { activationScales: { ...activationScales, '4.2.relu': 0 } },
      }),
    ).toThrow(/no valid activation scale for 4.2.relu \(got 0\)/);
  });
});
