import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { expectExportRefusals, useExportFixture } from './test-support.ts';

const { onnx } = onnxProto;

/** onnxruntime-node runs the model on `n` 96 px images of 0.5: the logits' shape. */
async function logitsDims(bytes: Uint8Array, n: number): Promise<readonly number[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor('float32', new Float32Array(n * 96 * 96).fill(0.5), [n, 1, 96, 96]);
    return (await session.run({ input })).logits.dims;
  } finally {
    await session.release();
  }
}

describe('nin export-onnx', () => {
  const { dir, weights, bare, output } = useExportFixture('export-onnx');

  it('writes a model that onnxruntime runs, taking the size from the manifest and carrying the manifest along', async () => {
    const out = join(dir, 'models', 'nin.onnx');
    expect(await main(['export-onnx', '--weights', weights, '--out', out])).toBe(0);
    expect(output.join('\n')).toMatch(/input \[batch, 1, 96, 96\] -> logits \[batch, 10\], float16 weights/);
    expect(await readdir(join(dir, 'models'))).toEqual(['nin.onnx']); // no temporary file left behind
    const bytes = new Uint8Array(await readFile(out));
    const model = onnx.ModelProto.decode(bytes);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.nin_manifest!)).toMatchObject({ inputSize: 96, storage: 'float16' });
    expect(await logitsDims(bytes, 3)).toEqual([3, 10]);
  });

  it('honours --size and a fixed --batch, and needs --size for a file without a manifest', async () => {
    const out = join(dir, 'fixed.onnx');
    expect(await main(['export-onnx', '--weights', bare, '--out', out])).toBe(2);
    expect(output.join('\n')).toMatch(/no nin-bench manifest .* pass --size/);
    expect(await main(['export-onnx', '--weights', bare, '--out', out, '--size', '128', '--batch', '4'])).toBe(0);
    const input = onnx.ModelProto.decode(new Uint8Array(await readFile(out))).graph!.input![0];
    expect(input.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([4, 1, 128, 128]);
  });

  it('--int8 writes the calibrated QDQ model, its metadata naming its float32 source and its training-image calibration', async () => {
    const out = join(dir, 'int8.onnx');
    const int8 = ['--int8', '--calibration-images', '8', '--calibration-stat', 'p99.99'];
    expect(await main(['export-onnx', '--weights', weights, '--out', out, ...int8])).toBe(0);
    expect(output.join('\n')).toMatch(
      /float16 weights, int8 QDQ calibrated \(p99\.99\) on 8 training images in [\d.]+ s$/,
    );
    const bytes = new Uint8Array(await readFile(out));
    const model = onnx.ModelProto.decode(bytes);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.calibration!)).toMatchObject({
      split: 'train',
      images: 8,
      statistic: 'p99.99',
      inputSize: 96,
      description: 'Fashion-MNIST train, 8 of 60000 images: every 7500th from index 0',
    });
    expect(JSON.parse(meta.float_source!)).toMatchObject({
      weights: 'nin-96.safetensors',
      storage: 'float16',
      inputSize: 96,
    });
    expect(JSON.parse(meta.nin_manifest!)).toMatchObject({ inputSize: 96, storage: 'float16' });
    expect(Object.keys(JSON.parse(meta.quantization!).activationScales)).toHaveLength(12);
    expect(model.graph!.node!.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(1 + 12 + 3);
    expect(await logitsDims(bytes, 2)).toEqual([2, 10]);
  });

  it('rejects bad arguments with usage (exit 2) and bad files with one line (exit 1)', () =>
    expectExportRefusals('export-onnx', {
      dir,
      weights,
      output,
      out: join(dir, 'never.onnx'),
      ownCases: [['--batch', 'two']],
    }));
});
