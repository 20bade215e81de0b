import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NinClassifier } from '../model/classifier.ts';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { WeightsError } from '../weights/errors.ts';
import {
  maxAbsDiff,
  randomImages,
  signalPreservingStateDict,
  withTransposedKernel,
} from '../../test/parity/fixtures.ts';
import { NIN_ONNX_OPSET, encodeNinOnnx } from './export.ts';

const { onnx } = onnxProto;
const PYTHON = process.env.NIN_PARITY_PYTHON ?? '/usr/bin/python3';
const TOLERANCE = 1e-4;
const BATCH = 2;
const stateDict = signalPreservingStateDict(11);

async function ortLogits(model: Uint8Array, input: Float32Array, n: number, size: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, size, size]) });
    expect(out.logits.dims).toEqual([n, 10]);
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('encodeNinOnnx', () => {
  const ours = new Map<number, Float32Array>();
  const inputs = new Map<number, Float32Array>();

  beforeAll(async () => {
    await createNodeBackendRegistry().activate('cpu');
    for (const size of [224, 96]) {
      inputs.set(size, randomImages(size, BATCH, size));
      const clf = NinClassifier.fromStateDict(stateDict, size);
      ours.set(size, await clf.logits(inputs.get(size)!, BATCH));
      clf.dispose();
    }
  });

  for (const size of [224, 96]) {
    it(`gives our cpu forward's logits under onnxruntime-node within ${TOLERANCE} at ${size} px`, async () => {
      const logits = await ortLogits(encodeNinOnnx(stateDict, { inputSize: size }), inputs.get(size)!, BATCH, size);
      const diff = maxAbsDiff(logits, ours.get(size)!);
      console.log(
        `[onnx] ${size} px, batch ${BATCH}: max |logit difference| onnxruntime-node ${ort.env.versions.common} vs our cpu forward = ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(TOLERANCE);
      // The check can fail: a kernel with H and W swapped (a layout bug) is far off.
      const wrong = await ortLogits(
        encodeNinOnnx(withTransposedKernel(stateDict, '0.0.weight'), { inputSize: size }),
        inputs.get(size)!,
        BATCH,
        size,
      );
      expect(maxAbsDiff(wrong, ours.get(size)!)).toBeGreaterThan(100 * TOLERANCE);
    });
  }

  it('writes the graph we promise: input/output names and shapes, opset, OIHW initializers, dynamic or fixed batch', async () => {
    const model = onnx.ModelProto.decode(encodeNinOnnx(stateDict, { inputSize: 96 }));
    const graph = model.graph as onnxProto.onnx.GraphProto; // decoded messages have every repeated field set
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', NIN_ONNX_OPSET]]);
    const dims = (v: onnxProto.onnx.IValueInfoProto) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input.map((v) => [v.name, dims(v)])).toEqual([['input', ['batch', 1, 96, 96]]]);
    expect(graph.output.map((v) => [v.name, dims(v)])).toEqual([['logits', ['batch', 10]]]);
    const w = graph.initializer.find((t) => t.name === '2.0.weight') as onnxProto.onnx.TensorProto;
    expect(w.dims.map(Number)).toEqual([256, 96, 5, 5]);
    expect(graph.node.map((n) => n.opType).join(' ')).toBe(
      [...Array(3)].map(() => 'Conv Relu Conv Relu Conv Relu MaxPool').join(' ') +
        ' Conv Relu Conv Relu Conv Relu GlobalAveragePool Flatten',
    );

    const fixed = encodeNinOnnx(stateDict, { inputSize: 96, batch: 3 });
    expect(dims(onnx.ModelProto.decode(fixed).graph!.input![0])).toEqual([3, 1, 96, 96]);
    const session = await ort.InferenceSession.create(fixed);
    await expect(
      session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 96 * 96), [2, 1, 96, 96]) }),
    ).rejects.toThrow(/dimension|shape/i);
    await session.release();
  });

  it('rejects bad options and incomplete weights with clear errors', () => {
    expect(() => encodeNinOnnx(stateDict, { inputSize: 40 })).toThrow(RangeError);
    expect(() => encodeNinOnnx(stateDict, { inputSize: 96, batch: 0 })).toThrow(/positive integer or "dynamic"/);
    expect(() => encodeNinOnnx(stateDict, { inputSize: 96, batch: 1.5 })).toThrow(RangeError);
    const partial = new Map(stateDict);
    partial.delete('7.4.bias');
    expect(() => encodeNinOnnx(partial, { inputSize: 96 })).toThrow(WeightsError);
  });

  const onnxMissing = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0;
  if (onnxMissing) console.warn(`[onnx] SKIPPED onnx.checker: ${PYTHON} has no onnx module (install python3-onnx)`);
  describe.skipIf(onnxMissing)('under the onnx package', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nin-onnx-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('passes onnx.checker.check_model with full shape inference, which infers logits [batch, 10]', async () => {
      const path = join(dir, 'nin.onnx');
      await writeFile(path, encodeNinOnnx(stateDict, { inputSize: 224 }));
      const script = [
        'import onnx, sys',
        'm = onnx.load(sys.argv[1])',
        'onnx.checker.check_model(m, full_check=True)',
        'o = onnx.shape_inference.infer_shapes(m, strict_mode=True).graph.output[0]',
        'print([d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim])',
      ].join('\n');
      const run = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe("['batch', 10]");
    });
  });
});
