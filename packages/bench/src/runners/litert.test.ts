import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIN_INPUT_SIZE, preprocessImages } from '@nin-bench/core-nin';
import { bestLiteRtBuild, LITERT_VERSION } from '@nin-bench/core-nin/litert';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { encodeNinOnnx } from '@nin-bench/core-nin/onnx';
import { encodeNinTflite } from '@nin-bench/core-nin/tflite';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { seededStateDict } from '../../test/fixtures/tiny-model.ts';
import { createRunner } from './litert.ts';
import type { RunnerTask } from './runner.ts';

// A 2x2-pixel "classifier" (RESHAPE to [1,4], FULLY_CONNECTED to 10 logits): logit i = sum_j w[i][j] x_j + b_i with
// w[i][j] = (4i + j) / 10 - 1 and b_i = i / 100. Made with `flatc -b schema.fbs tiny-dense.tflite.json` (LiteRT's
// TFLite schema), beside it in test/fixtures/.
const TINY = fileURLToPath(new URL('../../test/fixtures/tiny-dense.tflite', import.meta.url));
const task = (over: Partial<RunnerTask> = {}): RunnerTask => ({
  size: 2,
  weightsPath: '',
  model: 'tflite',
  modelPath: TINY,
  options: { threads: 1 },
  ...over,
});
const expected = (x: readonly number[]) =>
  Array.from({ length: 10 }, (_, i) => x.reduce((a, v, j) => a + ((4 * i + j) / 10 - 1) * v, 0) + i / 100);

describe('the LiteRT.js runner', () => {
  it('runs the .tflite it is handed on one thread and says which build ran', async () => {
    const runner = createRunner(task());
    const facts = await runner.init();
    expect(facts).toMatchObject({
      engine: 'litert',
      version: LITERT_VERSION,
      details: { build: bestLiteRtBuild(), threads: 1, model: 'float32 .tflite (nin export-tflite)' },
    });
    expect(facts.details.binary).toMatch(/^litert_wasm_(compat_)?internal\.wasm$/);
    const model = await runner.load();
    const images = [
      [0.1, 0.2, 0.3, 0.4],
      [1, 0, 0.5, 0.25],
    ];
    const logits = (await model.infer({
      n: 2,
      images: new Uint8Array(0),
      input: new Float32Array(images.flat()),
    })) as Float32Array;
    const want = images.flatMap(expected);
    expect(logits).toHaveLength(20);
    logits.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it('describes an int8 model as such', async () => {
    const facts = await createRunner(task({ model: 'tflite-int8' })).init();
    expect(String(facts.details.model)).toMatch(/^int8 \.tflite/);
  });

  it('refuses threads, a missing model and a model of another size, saying why', async () => {
    await expect(createRunner(task({ options: { threads: 2 } })).init()).rejects.toThrow(/one thread under Node/);
    const missing = createRunner(task({ modelPath: '/nonexistent/nin.tflite' }));
    await missing.init();
    await expect(missing.load()).rejects.toThrow(/no tflite model at "\/nonexistent\/nin.tflite"/);
    const wrongSize = createRunner(task({ size: 100 }));
    await wrongSize.init();
    await expect(wrongSize.load()).rejects.toThrow(/takes 2 px images, not 100/);
  });

  it('runs the NiN .tflite the exporter writes as onnxruntime runs its ONNX export, on real test images', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nin-bench-litert-'));
    try {
      const size = MIN_INPUT_SIZE;
      const stateDict = seededStateDict(7);
      const modelPath = join(dir, 'nin.tflite');
      await writeFile(modelPath, encodeNinTflite(stateDict, { inputSize: size }));
      const test = await loadFashionMnist('test', { download: false });
      const n = 4;
      const input = preprocessImages(test.images.subarray(0, n * 784), size);
      const runner = createRunner(task({ size, modelPath }));
      await runner.init();
      const model = await runner.load();
      const logits = (await model.infer({ n, images: test.images.subarray(0, n * 784), input })) as Float32Array;
      const session = await ort.InferenceSession.create(
        encodeNinOnnx(stateDict, { inputSize: size, batch: 'dynamic' }),
      );
      const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, size, size]) });
      const reference = out.logits!.data as Float32Array;
      expect(logits).toHaveLength(n * 10);
      expect(Math.max(...reference.map(Math.abs))).toBeGreaterThan(1e-3); // logits that say something
      const worst = Math.max(...logits.map((v, i) => Math.abs(v - reference[i]!)));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
