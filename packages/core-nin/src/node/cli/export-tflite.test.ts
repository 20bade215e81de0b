import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../onnx/metadata.ts';
import { readTflite, readTfliteMetadata } from '../../tflite/index.ts';
import { BuiltinOperator } from '../../tflite/schema/schema_generated.ts';
import { liteRtLogits } from '../../../test/fixtures/litert.ts';
import { loadLiteRtNode } from '../litert.ts';
import { main } from './main.ts';
import { expectExportRefusals, useExportFixture } from './test-support.ts';

/** The model's input shape and its ops by name, read back from the file. */
function graphOf(bytes: Uint8Array) {
  const model = readTflite(bytes);
  const graph = model.subgraphs(0)!;
  const ops = Array.from(
    { length: graph.operatorsLength() },
    (_, i) => BuiltinOperator[model.operatorCodes(graph.operators(i)!.opcodeIndex())!.builtinCode()],
  );
  return { input: [...graph.tensors(graph.inputs(0)!)!.shapeArray()!], ops };
}

/** LiteRT.js runs the file: logits for two images of 0.5. */
async function liteRtRuns(bytes: Uint8Array, size: number): Promise<number> {
  const runtime = await loadLiteRtNode();
  try {
    const logits = await liteRtLogits(runtime, bytes, new Float32Array(2 * size * size).fill(0.5), 2);
    expect(logits.every(Number.isFinite)).toBe(true);
    return logits.length;
  } finally {
    runtime.dispose();
  }
}

describe('nin export-tflite', () => {
  const { dir, weights, bare, output } = useExportFixture('export-tflite');

  it('writes a float32 model that LiteRT.js runs, taking the size from the manifest and carrying the manifest along', async () => {
    const out = join(dir, 'models', 'nin.tflite');
    expect(await main(['export-tflite', '--weights', weights, '--out', out])).toBe(0);
    expect(output.join('\n')).toMatch(/\.tflite\): input \[1, 96, 96, 1\] -> logits \[1, 10\], float16 weights$/);
    expect(await readdir(join(dir, 'models'))).toEqual(['nin.tflite']); // no temporary file left behind
    const bytes = new Uint8Array(await readFile(out));
    expect(graphOf(bytes).input).toEqual([1, 96, 96, 1]);
    const meta = readTfliteMetadata(bytes);
    expect(JSON.parse(meta.nin_manifest)).toMatchObject({ inputSize: 96, storage: 'float16' });
    expect(meta.quantization).toBeUndefined();
    expect(await liteRtRuns(bytes, 96)).toBe(20);
  });

  it('honours --size, and needs it for a file without a manifest', async () => {
    const out = join(dir, 'sized.tflite');
    expect(await main(['export-tflite', '--weights', bare, '--out', out])).toBe(2);
    expect(output.join('\n')).toMatch(/no nin-bench manifest .* pass --size/);
    expect(await main(['export-tflite', '--weights', bare, '--out', out, '--size', '128'])).toBe(0);
    expect(output.join('\n')).toMatch(/weights without a manifest$/);
    const bytes = new Uint8Array(await readFile(out));
    expect(graphOf(bytes).input).toEqual([1, 128, 128, 1]);
    expect(readTfliteMetadata(bytes).nin_manifest).toBeUndefined();
  });

  it('--int8 writes the integer model with the calibration export-onnx --int8 computes, and says where it came from', async () => {
    const calibration = ['--calibration-images', '8', '--calibration-stat', 'p99.99'];
    const out = join(dir, 'int8.tflite');
    expect(await main(['export-tflite', '--weights', weights, '--out', out, '--int8', ...calibration])).toBe(0);
    expect(output.join('\n')).toMatch(/float16 weights, int8 calibrated \(p99\.99\) on 8 training images in [\d.]+ s$/);
    const bytes = new Uint8Array(await readFile(out));
    const { ops } = graphOf(bytes);
    expect([ops[0], ops.at(-1)]).toEqual(['QUANTIZE', 'DEQUANTIZE']);
    const meta = readTfliteMetadata(bytes);
    expect(JSON.parse(meta.calibration)).toMatchObject({
      split: 'train',
      images: 8,
      statistic: 'p99.99',
      inputSize: 96,
      description: 'Fashion-MNIST train, 8 of 60000 images: every 7500th from index 0',
    });
    expect(JSON.parse(meta.float_source)).toMatchObject({ weights: 'nin-96.safetensors', storage: 'float16' });
    expect(JSON.parse(meta.nin_manifest)).toMatchObject({ inputSize: 96, storage: 'float16' });
    const scales: Record<string, number> = JSON.parse(meta.quantization).activationScales;
    expect(Object.keys(scales)).toHaveLength(13); // twelve conv activations and the logits

    // one calibration, two writers: export-onnx --int8 stores the very same scales
    const onnx = join(dir, 'int8.onnx');
    expect(await main(['export-onnx', '--weights', weights, '--out', onnx, '--int8', ...calibration])).toBe(0);
    const onnxMeta = readOnnxMetadata(new Uint8Array(await readFile(onnx)));
    const onnxScales: Record<string, number> = JSON.parse(onnxMeta.quantization).activationScales;
    expect(Object.keys(onnxScales)).toHaveLength(12);
    for (const [name, scale] of Object.entries(onnxScales)) expect(scales[name], name).toBe(scale);
    expect(JSON.parse(onnxMeta.calibration)).toEqual(JSON.parse(meta.calibration));

    expect(await liteRtRuns(bytes, 96)).toBe(20);
  });

  it('rejects bad arguments with usage (exit 2) and bad files with one line (exit 1)', () =>
    expectExportRefusals('export-tflite', {
      dir,
      weights,
      output,
      out: join(dir, 'never.tflite'),
      // a .tflite model takes one image a run: no --batch
      ownCases: [['--batch', '4']],
    }));
});
