import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { WEIGHTS_DIR } from '../weights-file.ts';
import { activateTrainingBackend } from './backend.ts';
import { onnxTeacherEngine, teacherCacheKey, teacherLogits, type TeacherEngine } from './teacher-logits.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import type { LabelledImages } from '../../data/idx.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../../data/preprocess.ts';
import { ninForward } from '../../model/nin.ts';
import { D2L_RECIPE, type TrainingRecipe } from '../../training/recipe.ts';
import { perImageLoss } from '../../training/step.ts';
import { NinTrainer, type TrainingData } from '../../training/trainer.ts';

const TEACHER = join(WEIGHTS_DIR, 'nin-fmnist-224.safetensors');
const COUNT = 24;

describe('distillation from cached teacher logits', () => {
  let dir: string;
  let subset: LabelledImages;
  let calls = 0;
  let engine: TeacherEngine;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-teacher-'));
    await activateTrainingBackend('wasm:simd');
    const train = await loadFashionMnist('train', { download: false });
    subset = {
      images: train.images.subarray(0, COUNT * FASHION_MNIST_PIXELS),
      labels: train.labels.subarray(0, COUNT),
      count: COUNT,
    };
    const teacher = await readNinWeightsFile(TEACHER);
    const ort = await onnxTeacherEngine(teacher.stateDict, teacher.manifest!.inputSize);
    engine = (images, n) => {
      calls++;
      return ort(images, n);
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('computes the logits once (with the mirrored images), then reads them from the cache', async () => {
    const first = await teacherLogits({
      teacherPath: TEACHER,
      images: subset,
      flipped: true,
      cacheDir: dir,
      engine,
      batchSize: 8,
    });
    expect(first.computed).toBe(true);
    expect(calls).toBe(6); // 24 images x 2 variants, 8 at a time
    expect(first.logits).toHaveLength(COUNT * 10);
    expect(first.flipped).toHaveLength(COUNT * 10);
    // The real teacher (0.888 on the test set) gets most of these training images right.
    let right = 0;
    for (let i = 0; i < COUNT; i++) {
      const row = first.logits.subarray(i * 10, (i + 1) * 10);
      if (row.indexOf(Math.max(...row)) === subset.labels[i]) right++;
    }
    expect(right).toBeGreaterThanOrEqual(18);
    expect(first.flipped).not.toEqual(first.logits);

    const again = await teacherLogits({ teacherPath: TEACHER, images: subset, flipped: true, cacheDir: dir, engine });
    expect(again.computed).toBe(false);
    expect(calls).toBe(6);
    expect(again.logits).toEqual(first.logits);
    expect(again.flipped).toEqual(first.flipped);
  });

  it('keys the cache by teacher, preprocessing and images: changing any of them misses it', async () => {
    const teacher = { sha256: 'a'.repeat(64), inputSize: 224 };
    const base = await teacherCacheKey(teacher, subset, true);
    expect((await teacherCacheKey(teacher, subset, true)).id).toBe(base.id);
    expect((await teacherCacheKey({ ...teacher, sha256: 'b'.repeat(64) }, subset, true)).id).not.toBe(base.id);
    expect((await teacherCacheKey({ ...teacher, inputSize: 192 }, subset, true)).id).not.toBe(base.id);
    expect((await teacherCacheKey(teacher, subset, true, 'PIL bicubic')).id).not.toBe(base.id);
    expect((await teacherCacheKey(teacher, subset, false)).id).not.toBe(base.id);
    expect((await teacherCacheKey(teacher, { ...subset, count: COUNT - 1 }, true)).id).not.toBe(base.id);
    // Another teacher on disk: a new file, computed anew.
    const before = await readdir(dir);
    const other = await teacherLogits({
      teacherPath: join(WEIGHTS_DIR, 'nin-fmnist-96.safetensors'),
      images: subset,
      flipped: false,
      cacheDir: dir,
    });
    expect(other.computed).toBe(true);
    expect((await readdir(dir)).length).toBe(before.length + 1);
  });

  it('a distilled student lowers its distillation loss on a small real subset', async () => {
    const logits = await teacherLogits({ teacherPath: TEACHER, images: subset, flipped: true, cacheDir: dir, engine });
    const manifest = (await readNinWeightsFile(TEACHER)).manifest!;
    const distill = {
      teacher: TEACHER,
      teacherSha256: manifest.tensorsSha256,
      teacherInputSize: 224,
      weight: 0.7,
      temperature: 4,
    };
    const recipe: TrainingRecipe = {
      ...D2L_RECIPE,
      inputSize: 67,
      batchSize: 8,
      epochs: 8,
      limit: COUNT,
      optimizer: 'adamw',
      learningRate: 0.002,
      init: 'he-normal',
      augment: { shift: 1, flip: true },
      distill,
      seed: 2,
    };
    const data: TrainingData = { ...subset, teacher: logits };
    const trainer = NinTrainer.create(recipe);
    const loss = async () => {
      const x = preprocessImages(subset.images, 67);
      const t = tf.tidy(() =>
        tf.mean(
          perImageLoss(
            ninForward(trainer.params, tf.tensor4d(x, [COUNT, 67, 67, 1])),
            tf.tensor1d(Array.from(subset.labels), 'int32'),
            tf.tensor2d(logits.logits, [COUNT, 10]),
            distill,
          ),
        ),
      );
      const v = (await t.data())[0];
      t.dispose();
      return v;
    };
    const before = await loss();
    while (!trainer.done) {
      await trainer.trainEpoch(data);
      trainer.finishEpoch(null, COUNT);
    }
    const after = await loss();
    console.log(
      `[distill] ${COUNT} images, 8 epochs at 67 px: distillation loss ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
    // NiN starts slowly (chance-level logits near 0 for its first steps); 24 steps move the loss by about 0.14.
    expect(after).toBeLessThan(before - 0.1);
    trainer.dispose();
  });
});
