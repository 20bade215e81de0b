import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import { seededRandom } from '../model/nin.ts';
import { onnxActivationRunner } from '../node/int8-onnx.ts';
import { maxAbsDiff, signalPreservingStateDict } from '../../test/parity/fixtures.ts';
import { calibrateNin, type CalibrationImages } from './calibrate.ts';
import { NIN_INPUT_SCALE, encodeNinOnnx, ninActivationNames, type NinQuantization } from './export.ts';
import { readOnnxMetadata } from './metadata.ts';

const { onnx } = onnxProto;
const PYTHON = process.env.NIN_PARITY_PYTHON ?? '/usr/bin/python3';
const SIZE = 96;
const stateDict = signalPreservingStateDict(21);

/** Random 28x28 bytes standing in for training images (the arithmetic does not care what they show). */
function byteImages(seed: number, count: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: count * FASHION_MNIST_PIXELS }, () => Math.floor(random() * 256));
}

async function logits(
  model: Uint8Array,
  input: Float32Array,
  n: number,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, ...options });
  try {
    return (await session.run({ input: new ort.Tensor('float32', input, [n, 1, SIZE, SIZE]) })).logits
      .data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('the int8 QDQ NiN', () => {
  let dir: string;
  let quantization: NinQuantization;
  let int8: Uint8Array;
  const testInput = preprocessImages(byteImages(2, 8), SIZE);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-int8-'));
    const images: CalibrationImages = {
      split: 'train',
      images: byteImages(1, 32),
      count: 32,
      description: 'random bytes',
    };
    ({ quantization } = await calibrateNin({
      images,
      inputSize: SIZE,
      statistic: { kind: 'max' },
      run: await onnxActivationRunner(stateDict, SIZE, { kind: 'max' }, 1),
    }));
    int8 = encodeNinOnnx(stateDict, { inputSize: SIZE, quantization });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is fused by onnxruntime-node into 12 QLinearConv and 3 uint8 max-pools: no silent fallback to float convolutions', async () => {
    const optimized = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(int8, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
      intraOpNumThreads: 1,
    });
    await session.release();
    const ops = onnx.ModelProto.decode(new Uint8Array(await readFile(optimized))).graph!.node!.map((n) => n.opType!);
    const count = (op: string) => ops.filter((o) => o === op).length;
    console.log(
      `[int8] onnxruntime-node ${ort.env.versions.node} optimised graph: ${[...new Set(ops)].map((o) => `${count(o)} ${o}`).join(', ')}`,
    );
    expect(count('QLinearConv')).toBe(12);
    expect(ops.filter((o) => /MaxPool/.test(o))).toHaveLength(3);
    expect(ops.filter((o) => /^(Conv|FusedConv|NchwcConv)$/.test(o))).toEqual([]);
    // one quantisation of the input and one dequantisation before the float global average pool
    expect(count('QuantizeLinear')).toBe(1);
    expect(count('DequantizeLinear')).toBe(1);
  });

  it('gives logits close to the float32 model', async () => {
    const float = await logits(encodeNinOnnx(stateDict, { inputSize: SIZE }), testInput, 8);
    const quantized = await logits(int8, testInput, 8);
    const spread = Math.max(...float) - Math.min(...float);
    const diff = maxAbsDiff(float, quantized);
    console.log(
      `[int8] ${SIZE} px, 8 images: max |int8 - float32 logit| = ${diff.toExponential(2)} (${((100 * diff) / spread).toFixed(2)} % of the logits' spread)`,
    );
    expect(diff).toBeLessThan(0.05 * spread);
    // without the graph optimisations (no fusion: the QDQ reference semantics) the answer is the same function
    const unfused = await logits(int8, testInput, 8, { graphOptimizationLevel: 'disabled' });
    expect(maxAbsDiff(unfused, float)).toBeLessThan(0.05 * spread);
  });

  it('stores int8 weights with per-channel scales, int32 biases at s_x * s_w, and its scales in the metadata', () => {
    const model = onnx.ModelProto.decode(int8);
    const init = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
    expect(init.has('0.0.weight')).toBe(false); // no float copy of the weights
    const w = init.get('0.0.weight_quantized')!;
    expect([w.dataType, w.dims!.map(Number)]).toEqual([onnx.TensorProto.DataType.INT8, [96, 1, 11, 11]]);
    expect(init.get('0.0.weight_scale')!.dims!.map(Number)).toEqual([96]);
    expect(init.get('0.0.bias_quantized')!.dataType).toBe(onnx.TensorProto.DataType.INT32);
    const f32 = (name: string) => new Float32Array(init.get(name)!.rawData!.slice().buffer);
    // the first conv's input is the image at 1/255; the second's is the first ReLU at its calibrated scale
    expect(f32('0.0.bias_scale')[5]).toBe(Math.fround(NIN_INPUT_SCALE * f32('0.0.weight_scale')[5]));
    expect(f32('0.2.bias_scale')[5]).toBe(
      Math.fround(quantization.activationScales['0.0.relu'] * f32('0.2.weight_scale')[5]),
    );
    const meta = JSON.parse(readOnnxMetadata(int8).quantization!);
    expect(Object.keys(meta.activationScales)).toEqual(ninActivationNames());
    expect(meta.inputScale).toBe(NIN_INPUT_SCALE);
    expect(() =>
      encodeNinOnnx(stateDict, {
        inputSize: SIZE,
        quantization: { activationScales: { ...quantization.activationScales, '4.2.relu': 0 } },
      }),
    ).toThrow(/no valid activation scale for 4\.2\.relu/);
  });

  it("exposes the float model's activations whole or as their maxima, which agree", async () => {
    const n = 2;
    const input = testInput.subarray(0, n * SIZE * SIZE);
    const whole = await (
      await onnxActivationRunner(stateDict, SIZE, { kind: 'percentile', percentile: 99 }, 1)
    )(input, n);
    const maxima = await (await onnxActivationRunner(stateDict, SIZE, { kind: 'max' }, 1))(input, n);
    for (const name of ninActivationNames()) {
      expect(maxima[name]).toHaveLength(1);
      expect(maxima[name][0], name).toBe(whole[name].reduce((a, b) => Math.max(a, b), 0));
    }
    expect(whole['0.0.relu']).toHaveLength(n * 96 * 22 * 22);
  });

  const onnxMissing = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0;
  if (onnxMissing) console.warn(`[int8] SKIPPED onnx.checker: ${PYTHON} has no onnx module (install python3-onnx)`);
  it.skipIf(onnxMissing)('passes onnx.checker.check_model with full shape inference', async () => {
    const path = join(dir, 'int8.onnx');
    await writeFile(path, int8);
    const run = spawnSync(
      PYTHON,
      ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
