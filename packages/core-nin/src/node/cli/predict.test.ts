import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../data/classes.ts';
import { FASHION_MNIST_PIXELS } from '../../data/preprocess.ts';
import { photoStyleFile, photoVariant } from '../../data/photo-style.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { WEIGHTS_DIR } from '../weights-file.ts';
import { expectOneLineError, runNin } from '../../../test/fixtures/cli.ts';
import { gzip, idxBytes } from '../../../test/fixtures/idx.ts';
import { expectFailures, runNinJson, useTempDir, writeTinyWeights, type FailureCase } from './test-support.ts';

describe('nin predict', () => {
  const dir = useTempDir('nin-predict-');
  const weights = join(dir, 'tiny.safetensors');
  // The first test image as an RGB PNG, and the first three test images as a gzipped IDX file.
  const png = join(dir, 'boot.png');
  const idx = join(dir, 'three-idx3-ubyte.gz');
  beforeAll(async () => {
    await writeTinyWeights(weights, 5, 'float16');
    const test = await loadFashionMnist('test', { download: false });
    const first = test.images.slice(0, FASHION_MNIST_PIXELS);
    await writeFile(
      png,
      encode({
        width: 28,
        height: 28,
        channels: 3,
        depth: 8,
        data: Uint8Array.from({ length: 784 * 3 }, (_, i) => first[Math.floor(i / 3)]),
      }),
    );
    await writeFile(idx, gzip(idxBytes([3, 28, 28], test.images.subarray(0, 3 * FASHION_MNIST_PIXELS))));
  });

  it('prints one line per image: file, index, class, probability', async () => {
    const r = await runNin(['predict', png, idx, '--weights', weights]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t').slice(0, 2))).toEqual([
      [png, '0'],
      [idx, '0'],
      [idx, '1'],
      [idx, '2'],
    ]);
    for (const line of lines) {
      const [, , label, p] = line.split('\t');
      expect(FASHION_MNIST_CLASSES).toContain(label);
      expect(Number(p)).toBeGreaterThan(0.1); // the top class of ten is at least as likely as uniform
    }
  });

  it('--json --top 3 on cpu and wasm: the PNG and the same image in the IDX file get the same answer', async () => {
    const results = [];
    for (const backend of ['wasm:simd', 'cpu']) {
      results.push(
        await runNinJson(['predict', png, idx, '--weights', weights, '--json', '--top', '3', '--backend', backend]),
      );
    }
    const [wasm, cpu] = results;
    expect(wasm).toMatchObject({
      weights,
      storage: 'float16',
      inputSize: 67,
      backend: { name: 'wasm', variant: 'simd' },
    });
    expect(cpu.backend.name).toBe('cpu');
    expect(wasm.predictions).toHaveLength(4);
    for (const p of wasm.predictions) {
      expect(p.top).toHaveLength(3);
      expect(p.top[0]).toMatchObject({ label: p.label, index: p.classIndex, probability: p.probability });
      expect(p.top[0].probability).toBeGreaterThanOrEqual(p.top[1].probability);
    }
    expect(wasm.predictions[0].top).toEqual(wasm.predictions[1].top.map((t: object) => expect.objectContaining(t)));
    expect(cpu.predictions.map((p: { label: string }) => p.label)).toEqual(
      wasm.predictions.map((p: { label: string }) => p.label),
    );
  });

  it("reads a product photo (JPEG): Fashion-MNIST's conversion by default (fit photo), --fit tile on request", async () => {
    const test = await loadFashionMnist('test', { download: false });
    const photo = join(dir, 'boot-photo.jpg');
    await writeFile(photo, photoStyleFile(test.images.slice(0, FASHION_MNIST_PIXELS), photoVariant('grey-jpeg'), 1));
    // the real 100 px model: the photo of test image 0 is an ankle boot to it, as the tile is
    const real = join(WEIGHTS_DIR, 'nin-fmnist-100.safetensors');
    const auto = await runNinJson(['predict', photo, '--weights', real, '--json']);
    expect(auto.predictions[0]).toMatchObject({ label: 'Ankle boot', fit: 'photo' });
    const tile = await runNin(['predict', photo, '--weights', real, '--json', '--fit', 'tile']);
    expect(JSON.parse(tile.stdout).predictions[0]).toMatchObject({ fit: 'tile', fitReason: expect.any(String) });
    expect(expectOneLineError(await runNin(['predict', photo, '--fit', 'square']), 'predict')).toMatch(
      /--fit must be one of auto, photo, tile, got "square"/,
    );
  });

  it('fails with one line and no stack for bad input', async () => {
    const corrupt = join(dir, 'corrupt.safetensors');
    await writeFile(corrupt, new Uint8Array(64).fill(0xff));
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'not an image');
    const missing = join(dir, 'missing.png');
    const cases: FailureCase[] = [
      [['predict', missing, '--weights', weights], /ENOENT.*missing\.png/],
      [
        ['predict', png, '--weights', corrupt],
        /corrupt\.safetensors: not a safetensors file: header length \d+ at byte 0 is implausible/,
      ],
      [['predict', png, '--weights', join(dir, 'none.safetensors')], /none\.safetensors: no such weights file/],
      [['predict', png, '--weights', weights, '--backend', 'tpu'], /unknown backend "tpu"/],
      [['predict', png, '--weights', weights, '--backend', 'wasm:threads'], /backend wasm has no variant "threads"/],
      [
        ['predict', text, '--weights', weights],
        /notes\.txt: neither a picture \(PNG, JPEG, WebP\) nor an IDX image file/,
      ],
      [['predict', png, '--weights', weights, '--bogus'], /Unknown option '--bogus'/],
      [['predict', '--weights', weights], /give at least one picture \(PNG, JPEG, WebP\) or IDX file/],
      [['predict', png, '--weights', weights, '--top', 'many'], /--top must be a positive integer, got "many"/],
    ];
    await expectFailures('predict', cases);
  });
});
