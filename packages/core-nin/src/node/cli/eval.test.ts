import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../data/classes.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { readNinWeightsFile, writeNinWeightsFile } from '../weights-file.ts';
import { expectOneLineError, runNin } from '../../../test/fixtures/cli.ts';
import { initialStateDict } from '../../../test/fixtures/weights.ts';

describe('nin eval', () => {
  let dir: string;
  let weights: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-eval-'));
    weights = join(dir, 'tiny.safetensors');
    await writeNinWeightsFile(weights, initialStateDict(9), 'int8', { inputSize: 67, accuracy: { test: 0.5, evaluatedOn: 'made up for the test' } });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--limit 64 --json reports accuracy, per-class accuracy, the backend and speed, and nothing else on stdout', async () => {
    const r = await runNin(['eval', '--weights', weights, '--limit', '64', '--batch', '24', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ weights, storage: 'int8', inputSize: 67, images: 64, batch: 24, manifestAccuracy: 0.5, backend: { name: 'wasm', variant: 'simd' } });
    expect(out.accuracy).toBeGreaterThanOrEqual(0);
    expect(out.accuracy).toBeLessThanOrEqual(1);
    expect(out.accuracy).toBe(out.correct / 64);
    expect(out.imagesPerSecond).toBeGreaterThan(0);
    expect(out.perClass.map((c: { class: string }) => c.class)).toEqual([...FASHION_MNIST_CLASSES]);
    // The per-class counts are the true labels of the first 64 test images.
    const labels = (await loadFashionMnist('test', { download: false })).labels.subarray(0, 64);
    expect(out.perClass.map((c: { images: number }) => c.images)).toEqual(FASHION_MNIST_CLASSES.map((_, k) => labels.filter((l) => l === k).length));
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
    const cases: [string[], RegExp][] = [
      [['eval', '--weights', weights, '--limit', '0'], /--limit must be a positive integer, got "0"/],
      [['eval', '--weights', weights, '--size', '32'], /--size must be at least 67 for NiN, got 32/],
      [['eval', '--weights', join(dir, 'nope.safetensors')], /nope\.safetensors: no such weights file/],
      [['eval', '--weights', weights, 'extra'], /Unexpected argument 'extra'/],
      [['eval', '--weights', weights, '--record', '--limit', '10'], /--record needs the whole test set: drop --limit/],
      [['eval', '--weights', weights, '--record', '--size', '96'], /--record: the weights were trained at 67 px, not 96/],
    ];
    for (const [args, message] of cases) expect(expectOneLineError(await runNin(args), 'eval'), args.join(' ')).toMatch(message);
  });

  it('--record writes the accuracy measured on all 10,000 images into the manifest, keeping the tensors', async () => {
    const recordFile = join(dir, 'record.safetensors');
    await writeNinWeightsFile(recordFile, initialStateDict(9), 'int8', { inputSize: 67, accuracy: { test: 0.5, train: 0.25, evaluatedOn: 'made up for the test' } });
    const before = await readNinWeightsFile(recordFile);
    const r = await runNin(['eval', '--weights', recordFile, '--record', '--batch', '100', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
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
});
