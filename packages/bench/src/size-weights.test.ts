import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededWeightsFile, writeTinyModel } from '../test/fixtures/tiny-model.ts';
import { companionPath } from './int8-model.ts';
import { sizeWeightsSource, trainedWeightsPathFor } from './size-weights.ts';

const WEIGHTS_DIR = fileURLToPath(new URL('../../core-nin/weights/', import.meta.url));

let dir: string;
let main: string;
beforeAll(async () => {
  const tiny = await writeTinyModel(); // 67 px
  dir = tiny.dir;
  main = join(dir, 'nin-fmnist-67.safetensors');
  await copyFile(tiny.weightsPath, main);
  await writeFile(join(dir, 'nin-fmnist-71.safetensors'), await seededWeightsFile(71, 11));
  // named for 75 px but trained for 80: not this size's weights
  await writeFile(join(dir, 'nin-fmnist-75.safetensors'), await seededWeightsFile(80, 12));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("each size's own weights", () => {
  it('names files as the trainer does: the committed weights and their int8 ONNX models at every trained size', async () => {
    const bench = join(WEIGHTS_DIR, 'nin-fmnist-224.safetensors');
    for (const size of [96, 100, 224]) {
      const path = await trainedWeightsPathFor(bench, size);
      expect(path).toBe(join(WEIGHTS_DIR, `nin-fmnist-${size}.safetensors`));
      expect(existsSync(path)).toBe(true);
      expect(existsSync(companionPath(path))).toBe(true); // nin-fmnist-<size>.int8.onnx
    }
  });

  it("picks the file trained for the size, else the bench's weights", async () => {
    const at = sizeWeightsSource(main);
    const own = await at(71);
    expect(own.path).toBe(join(dir, 'nin-fmnist-71.safetensors'));
    expect(own.manifest?.inputSize).toBe(71);
    expect((await at(67)).path).toBe(main);
    expect((await at(75)).path).toBe(main); // its manifest says 80 px
    expect((await at(99)).path).toBe(main); // none there
    expect(await at(71)).toBe(own); // read once
    expect(own.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(own.sha256).not.toBe((await at(67)).sha256);
  });

  it('the committed 100 px weights are trained for 100 px', async () => {
    const w = await sizeWeightsSource(join(WEIGHTS_DIR, 'nin-fmnist-224.safetensors'))(100);
    expect(w.path).toBe(join(WEIGHTS_DIR, 'nin-fmnist-100.safetensors'));
    expect(w.manifest?.inputSize).toBe(100);
  });
});
