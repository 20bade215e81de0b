import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../onnx/metadata.ts';
import { FASHION_MNIST_CLASSES } from '../../data/classes.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { runNin } from '../../../test/fixtures/cli.ts';
import { randomImages, signalPreservingStateDict } from '../../../test/parity/fixtures.ts';
import { encodeNinTflite, readTfliteMetadata } from '../../tflite/index.ts';
import { supportsRelaxedSimd } from '../../litert/build.ts';
import { loadLiteRtNodeClassifier } from '../litert.ts';
import {
  MADE_UP_ACCURACY,
  expectFailures,
  useTempDir,
  writeTinyWeights,
  runNinJson,
  type FailureCase,
} from './test-support.ts';

/** The text report's accuracy line for a model that recorded `accuracy`, from a float32 source that recorded 50%. */
function recordedAccuracyLine(accuracy: number): RegExp {
  const recorded = (100 * accuracy).toFixed(2);
  return new RegExp(
    `^accuracy {2}\\d+\\.\\d\\d% measured, ${recorded}% recorded in the model's metadata; its float32 source recorded 50\\.00%$`,
    'm',
  );
}

describe('nin eval', () => {
  const dir = useTempDir('nin-eval-');
  const weights = join(dir, 'tiny.safetensors');
  beforeAll(() => writeTinyWeights(weights, 9, 'int8', MADE_UP_ACCURACY));

  it('--limit 64 --json reports accuracy, per-class accuracy, the backend and speed, and nothing else on stdout', async () => {
    const out = await runNinJson(['eval', '--weights', weights, '--limit', '64', '--batch', '24', '--json']);
    expect(out).toMatchObject({
      weights,
      storage: 'int8',
      inputSize: 67,
      images: 64,
      batch: 24,
      manifestAccuracy: 0.5,
      backend: { name: 'wasm', variant: 'simd' },
    });
    expect(out.accuracy).toBeGreaterThanOrEqual(0);
    expect(out.accuracy).toBeLessThanOrEqual(1);
    expect(out.accuracy).toBe(out.correct / 64);
    expect(out.imagesPerSecond).toBeGreaterThan(0);
    expect(out.perClass.map((c: { class: string }) => c.class)).toEqual([...FASHION_MNIST_CLASSES]);
    // The per-class counts are the true labels of the first 64 test images.
    const labels = (await loadFashionMnist('test', { download: false })).labels.subarray(0, 64);
    expect(out.perClass.map((c: { images: number }) => c.images)).toEqual(
      FASHION_MNIST_CLASSES.map((_, k) => labels.filter((l) => l === k).length),
    );
    const diagonal = out.confusion.reduce((s: number, row: number[], k: number) => s + row[k], 0);
    expect(diagonal).toBe(out.correct);
  });

  it('prints a readable summary by default', async () => {
    const r = await runNin(['eval', '--weights', weights, '--limit', '20', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^accuracy {2}\d+\.\d\d% measured, 50\.00% recorded in the manifest$/m);
    expect(r.stdout).toMatch(/^backend {3}cpu \(/m);
    expect(r.stdout).toMatch(/^images {4}20 of the Fashion-MNIST test set$/m);
    expect(r.stdout).toMatch(/^ {2}Ankle boot +(\d+\.\d\d%|n\/a) {2}\(\d+ images\)$/m);
  });

  it('fails with one line for bad options and unusable weights', async () => {
    const cases: FailureCase[] = [
      [['eval', '--weights', weights, '--limit', '0'], /--limit must be a positive integer, got "0"/],
      [['eval', '--weights', weights, '--size', '32'], /--size must be at least 67 for NiN, got 32/],
      [['eval', '--weights', join(dir, 'nope.safetensors')], /nope\.safetensors: no such weights file/],
      [['eval', '--weights', weights, 'extra'], /Unexpected argument 'extra'/],
      [['eval', '--weights', weights, '--record', '--limit', '10'], /--record needs the whole test set: drop --limit/],
      [
        ['eval', '--weights', weights, '--record', '--size', '96'],
        /--record: the weights were trained at 67 px, not 96/,
      ],
    ];
    await expectFailures('eval', cases);
  });

  it('--record writes the accuracy measured on all 10,000 images into the manifest, keeping the tensors', async () => {
    const recordFile = join(dir, 'record.safetensors');
    await writeTinyWeights(recordFile, 9, 'int8', { ...MADE_UP_ACCURACY, train: 0.25 });
    const before = await readNinWeightsFile(recordFile);
    const out = await runNinJson(['eval', '--weights', recordFile, '--record', '--batch', '100', '--json']);
    expect(out).toMatchObject({ images: 10_000, recorded: recordFile, manifestAccuracy: 0.5 });
    const after = await readNinWeightsFile(recordFile); // verifies tensorsSha256 on the way
    expect(after.manifest!.tensorsSha256).toBe(before.manifest!.tensorsSha256);
    expect(after.manifest!.accuracy).toEqual({
      test: out.accuracy,
      train: 0.25,
      perClass: out.perClass.map((c: { accuracy: number }) => c.accuracy),
      evaluatedOn: 'all 10000 Fashion-MNIST test images, `nin eval` on wasm:simd, the int8 weights as stored',
    });
    expect(after.manifest!.recipe).toEqual(before.manifest!.recipe);
    expect([...after.stateDict.keys()]).toEqual([...before.stateDict.keys()]);
    for (const [name, t] of before.stateDict) expect(after.stateDict.get(name)!.data, name).toEqual(t.data);
  });

  describe('--onnx', () => {
    const model = join(dir, 'tiny.int8.onnx');
    beforeAll(async () => {
      const int8 = ['--int8', '--calibration-images', '8'];
      const r = await runNin(['export-onnx', '--weights', weights, '--out', model, ...int8]);
      expect(r.code, r.stderr).toBe(0);
    });

    it('fails with usage (exit 2) for options that do not fit an ONNX model, one line (exit 1) for an unusable file', async () => {
      const corrupt = join(dir, 'corrupt.onnx');
      await writeFile(corrupt, new Uint8Array([0xff, 0xff, 0xff, 0x01]));
      const cases: FailureCase[] = [
        [['eval', '--onnx', model, '--weights', weights], 2, /--onnx and --weights are two models: give one/],
        [
          ['eval', '--onnx', model, '--backend', 'cpu'],
          2,
          /--backend picks a tfjs backend; an --onnx model runs on onnxruntime-node/,
        ],
        [['eval', '--onnx', model, '--size', '96'], 2, /--size 96: .*tiny\.int8\.onnx takes 67 px input/],
        [['eval', '--onnx', model, '--record', '--limit', '10'], 2, /--record needs the whole test set: drop --limit/],
        [['eval', '--onnx'], 2, /argument missing/],
        [['eval', '--onnx', join(dir, 'nope.onnx')], 1, /nope\.onnx: cannot read the ONNX model \(ENOENT\)/],
        [['eval', '--onnx', corrupt], 1, /corrupt\.onnx: not an ONNX model/],
      ];
      await expectFailures('eval', cases);
    });

    it('measures an int8 export on onnxruntime-node, and --record writes the accuracy of all 10,000 images into its metadata, graph untouched', async () => {
      const before = new Uint8Array(await readFile(model));
      const out = await runNinJson(['eval', '--onnx', model, '--record', '--batch', '100', '--json']);
      // manifestAccuracy: what the model recorded before this run (nothing yet); its float32 source's is beside it
      expect(out).toMatchObject({
        onnx: model,
        storage: 'int8 QDQ ONNX',
        inputSize: 67,
        images: 10_000,
        recorded: model,
        manifestAccuracy: null,
        floatSourceAccuracy: 0.5,
        backend: { name: 'onnxruntime-node' },
      });
      const after = new Uint8Array(await readFile(model));
      expect(JSON.parse(readOnnxMetadata(after).accuracy!)).toEqual({
        test: out.accuracy,
        perClass: out.perClass.map((c: { accuracy: number }) => c.accuracy),
        evaluatedOn:
          'all 10000 Fashion-MNIST test images, `nin eval` on onnxruntime-node, the int8 QDQ ONNX model as stored',
      });
      const graph = (bytes: Uint8Array) =>
        onnxProto.onnx.GraphProto.encode(onnxProto.onnx.ModelProto.decode(bytes).graph!).finish();
      expect(graph(after)).toEqual(graph(before));
      const { accuracy: _, ...rest } = readOnnxMetadata(after);
      expect(rest).toEqual(readOnnxMetadata(before));
      // the text report names the recorded figure and the float32 source's
      const text = await runNin(['eval', '--onnx', model, '--limit', '20']);
      expect(text.stdout).toMatch(recordedAccuracyLine(out.accuracy));
    }, 300_000); // 10,000 images: most of it is preprocessing, slow on a busy 2-core machine
  });

  describe('--tflite', () => {
    const model = join(dir, 'tiny.tflite');
    beforeAll(async () => {
      const metadata = { nin_manifest: JSON.stringify({ inputSize: 67, accuracy: { test: 0.5 } }) };
      await writeFile(model, encodeNinTflite(signalPreservingStateDict(3), { inputSize: 67, metadata }));
    });

    it('fails with usage (exit 2) for options that do not fit a .tflite model, one line (exit 1) for an unusable file', async () => {
      const corrupt = join(dir, 'corrupt.tflite');
      await writeFile(corrupt, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
      const cases: FailureCase[] = [
        [['eval', '--tflite', model, '--weights', weights], 2, /--tflite and --weights are two models: give one/],
        [['eval', '--tflite', model, '--onnx', model], 2, /--onnx and --tflite are two models: give one/],
        [
          ['eval', '--tflite', model, '--backend', 'wasm:simd'],
          2,
          /--backend wasm:simd: a --tflite model runs on litert:relaxed or litert:compat/,
        ],
        [['eval', '--tflite', model, '--size', '96'], 2, /--size 96: .*tiny\.tflite takes 67 px input \(its metadata/],
        [
          ['eval', '--tflite', model, '--record', '--limit', '10'],
          2,
          /--record needs the whole test set: drop --limit/,
        ],
        [['eval', '--tflite', join(dir, 'nope.tflite')], 1, /nope\.tflite: cannot read the \.tflite model \(ENOENT\)/],
        [['eval', '--tflite', corrupt], 1, /corrupt\.tflite: not a \.tflite model/],
      ];
      if (!supportsRelaxedSimd())
        cases.push([['eval', '--tflite', model, '--backend', 'litert:relaxed'], 1, /litert:relaxed is unavailable/]);
      await expectFailures('eval', cases);
    });

    it("runs on LiteRT.js and says which build ran (this Node's best, or the one pinned)", async () => {
      const best = supportsRelaxedSimd() ? 'relaxed' : 'compat';
      const out = await runNinJson(['eval', '--tflite', model, '--limit', '40', '--batch', '16', '--json']);
      expect(out).toMatchObject({
        tflite: model,
        storage: 'float32 .tflite',
        inputSize: 67,
        images: 40,
        manifestAccuracy: null,
        floatSourceAccuracy: 0.5,
        backend: { name: 'litert', variant: best, details: { version: '2.5.3', build: best, threads: 1 } },
      });
      expect(out.modelMsPerImage).toBeGreaterThan(0);
      const text = await runNin(['eval', '--tflite', model, '--limit', '20', '--backend', 'litert:compat']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^tflite {4}\S+tiny\.tflite \(float32 \.tflite, 67 px\)$/m);
      expect(text.stdout).toMatch(
        /^backend {3}litert:compat \(version 2\.5\.3, build compat, threads 1, accelerator wasm\)$/m,
      );
      expect(text.stdout).toMatch(/; the model alone \d+\.\d\d ms an image$/m);
    });

    it('--record writes the accuracy of all 10,000 images into its metadata, the graph and other entries untouched', async () => {
      const before = new Uint8Array(await readFile(model));
      const out = await runNinJson(['eval', '--tflite', model, '--record', '--batch', '100', '--json']);
      expect(out).toMatchObject({ images: 10_000, recorded: model, manifestAccuracy: null });
      const after = new Uint8Array(await readFile(model));
      const { accuracy, ...rest } = readTfliteMetadata(after);
      expect(JSON.parse(accuracy!)).toEqual({
        test: out.accuracy,
        perClass: out.perClass.map((c: { accuracy: number }) => c.accuracy),
        evaluatedOn: `all 10000 Fashion-MNIST test images, \`nin eval\` on litert:${out.backend.variant}, the float32 .tflite model as stored`,
      });
      expect(rest).toEqual(readTfliteMetadata(before));
      // the same graph: the same logits, bit for bit, on the same build
      const input = randomImages(7, 4, 67);
      const logits: Float32Array[] = [];
      for (const bytes of [before, after]) {
        const classifier = await loadLiteRtNodeClassifier(bytes, { build: 'compat' });
        logits.push(await classifier.logits(input, 4));
        classifier.dispose();
      }
      expect(logits[1]).toEqual(logits[0]);
      const text = await runNin(['eval', '--tflite', model, '--limit', '20']);
      expect(text.stdout).toMatch(recordedAccuracyLine(out.accuracy));
    }, 300_000);
  });
});
