import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeBackendRegistry } from '../node/backends.ts';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { loadGradients } from '../node/train/backend.ts';
import { registerWasmTrainingKernels } from '../backends/wasm-training-kernels.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import type { LabelledImages } from '../data/idx.ts';
import { ninForward } from '../model/nin.ts';
import type { TrainingRecipe } from './recipe.ts';
import { modelInput, softmaxCrossEntropy } from './step.ts';
import { NinTrainer } from './trainer.ts';
import { smallRecipe } from './test-support.ts';

const SMALL = smallRecipe(24, 3);

async function lossOn(trainer: NinTrainer, data: LabelledImages, n: number, size: number): Promise<number> {
  const x = preprocessImages(data.images.subarray(0, n * FASHION_MNIST_PIXELS), size);
  const loss = tf.tidy(() =>
    softmaxCrossEntropy(
      ninForward(trainer.params, tf.tensor4d(x, [n, size, size, 1])),
      tf.tensor1d(Array.from(data.labels.subarray(0, n)), 'int32'),
    ),
  );
  const v = (await loss.data())[0];
  loss.dispose();
  return v;
}

async function runToEnd(trainer: NinTrainer, data: LabelledImages, stopAfter = Infinity): Promise<boolean> {
  let steps = 0;
  while (!trainer.done) {
    const { finished } = await trainer.trainEpoch(data, {
      shouldStop: () => steps >= stopAfter,
      onStep: () => steps++,
    });
    if (!finished) return false;
    trainer.finishEpoch(null, data.count);
  }
  return true;
}

async function snapshot(trainer: NinTrainer): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, p] of trainer.params) out[`param/${k}`] = (await p.data()) as Float32Array;
  for (const [k, v] of trainer.optimizer.state) out[k] = (await v.data()) as Float32Array;
  return out;
}

/** The history without wall-clock figures, which legitimately differ between runs. */
const timeless = (t: NinTrainer) => t.state.history.map(({ trainSeconds, imagesPerSecond, ...rest }) => rest);

describe('NiN training on wasm', () => {
  let train: LabelledImages;
  beforeAll(async () => {
    await loadGradients();
    await createNodeBackendRegistry().activate('wasm:simd');
    registerWasmTrainingKernels();
    train = await loadFashionMnist('train', { download: false });
  });

  it('lowers the loss on a small real subset', async () => {
    const recipe = { ...SMALL, epochs: 6, batchSize: 16, limit: 64 };
    const trainer = NinTrainer.create(recipe);
    const before = await lossOn(trainer, train, 64, recipe.inputSize);
    expect(await runToEnd(trainer, train)).toBe(true);
    const after = await lossOn(trainer, train, 64, recipe.inputSize);
    expect(after).toBeLessThan(before - 0.02);
    expect(trainer.state.history).toHaveLength(6);
    expect(trainer.state.globalStep).toBe(24);
    trainer.dispose();
  });

  it('resumed from a mid-epoch checkpoint, ends bit for bit where an uninterrupted run does', async () => {
    const whole = NinTrainer.create(SMALL);
    expect(await runToEnd(whole, train)).toBe(true);
    const expected = await snapshot(whole);

    const first = NinTrainer.create(SMALL);
    expect(await runToEnd(first, train, 4)).toBe(false); // 3 steps per epoch: stops inside epoch 2
    expect(first.state).toMatchObject({ completedEpochs: 1, globalStep: 4, current: { step: 1 } });
    const bytes = await first.checkpoint();
    first.dispose();

    const resumed = NinTrainer.fromCheckpoint(bytes);
    expect(await runToEnd(resumed, train)).toBe(true);
    const got = await snapshot(resumed);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    expect(Object.keys(got).some((k) => k.startsWith('velocity/'))).toBe(true);
    for (const k of Object.keys(expected)) expect(got[k], k).toEqual(expected[k]);
    expect(timeless(resumed)).toEqual(timeless(whole));
    expect(resumed.state.globalStep).toBe(whole.state.globalStep);
    whole.dispose();
    resumed.dispose();
  });

  it('extends a finished run by more epochs, recording it, with a warm restart of the schedule', async () => {
    const trainer = NinTrainer.create({ ...SMALL, epochs: 1, limit: 16, schedule: 'cosine' });
    expect(await runToEnd(trainer, train)).toBe(true);
    expect(() => trainer.extendTo(1)).toThrow(/beyond its 1 epochs/);
    trainer.extendTo(2);
    expect(trainer.done).toBe(false);
    expect(trainer.recipe.extendedFrom).toEqual([{ epochs: 1, atStep: 2 }]);
    const rates: number[] = [];
    await trainer.trainEpoch(train, { onStep: (e) => rates.push(e.learningRate) });
    expect(rates[0]).toBeCloseTo(0.05 * 0.5 * (1 + Math.cos(Math.PI * 0.5)), 10);
    trainer.finishEpoch(null, train.count);
    expect(trainer.state.history).toHaveLength(2);
    trainer.dispose();
  });

  it('leaks no tensor per step', async () => {
    const trainer = NinTrainer.create({ ...SMALL, epochs: 1, limit: 40 });
    const counts: number[] = [];
    await trainer.trainEpoch(train, { onStep: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(5);
    expect(new Set(counts).size).toBe(1);
    trainer.dispose();
  });

  it('resumes bit for bit with augmentation, AdamW, one-cycle, micro-batches and clipping on', async () => {
    const recipe: TrainingRecipe = {
      ...SMALL,
      limit: 16,
      optimizer: 'adamw',
      learningRate: 0.002,
      weightDecay: 0.05,
      weightDecayScope: 'weights',
      schedule: 'onecycle',
      microBatch: 3,
      clipNorm: 0.5,
      augment: { shift: 2, flip: true },
    };
    const norms: (number | null)[] = [];
    const whole = NinTrainer.create(recipe);
    while (!whole.done) {
      await whole.trainEpoch(train, { onStep: (e) => norms.push(e.gradientNorm) });
      whole.finishEpoch(null, train.count);
    }
    const expected = await snapshot(whole);
    // Clipping was measured every step and was active at least once (the norm is over 0.5 somewhere).
    expect(norms.every((n) => n !== null && n > 0)).toBe(true);
    expect(norms.some((n) => n! > 0.5)).toBe(true);
    expect(Object.keys(expected).filter((k) => k.startsWith('adam_'))).toHaveLength(2 * 24);

    const first = NinTrainer.create(recipe);
    expect(await runToEnd(first, train, 3)).toBe(false); // 2 steps per epoch: stops inside epoch 2
    const resumed = NinTrainer.fromCheckpoint(await first.checkpoint());
    first.dispose();
    expect(resumed.recipe).toEqual(whole.recipe);
    expect(await runToEnd(resumed, train)).toBe(true);
    const got = await snapshot(resumed);
    for (const k of Object.keys(expected)) expect(got[k], k).toEqual(expected[k]);
    expect(timeless(resumed)).toEqual(timeless(whole));
    whole.dispose();
    resumed.dispose();
  });

  it('a micro-batched step equals the whole-batch step (gradient accumulation)', async () => {
    const a = NinTrainer.create({ ...SMALL, epochs: 1, limit: 16 });
    const b = NinTrainer.create({ ...SMALL, epochs: 1, limit: 16, microBatch: 3 });
    await a.trainEpoch(train);
    await b.trainEpoch(train);
    const [sa, sb] = [await snapshot(a), await snapshot(b)];
    for (const k of Object.keys(sa)) {
      let scale = 0;
      let worst = 0;
      sa[k].forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(v - sb[k][i]));
      });
      expect(worst, k).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    }
    a.dispose();
    b.dispose();
  });

  it('resizes on the device within a grey level of PIL, trains close to the PIL-resized run, and resumes bit for bit', async () => {
    const n = 4;
    const raw = train.images.subarray(0, n * FASHION_MNIST_PIXELS);
    const onDevice = modelInput({
      images: Float32Array.from(raw, (v) => v / 255),
      count: n,
      inputSize: 67,
      resizeOnDevice: true,
    });
    const device = (await onDevice.data()) as Float32Array;
    onDevice.dispose();
    const pil = preprocessImages(raw, 67);
    expect(device).toHaveLength(pil.length);
    // PIL rounds to a byte after each of its two passes (rows, then columns); the device keeps floats: at most a
    // grey level apart.
    let worst = 0;
    pil.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - device[i]))));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(1 / 255 + 1e-6);

    const recipe: TrainingRecipe = { ...SMALL, limit: 16, resize: 'device', microBatch: 3, clipNorm: 0.5 };
    // The first step's loss: the same up to the inputs' rounding.
    const firstLoss = async (t: NinTrainer) => {
      let loss = NaN;
      await t.trainEpoch(train, { shouldStop: () => !Number.isNaN(loss), onStep: (e) => (loss = e.loss) });
      return loss;
    };
    const cpu = NinTrainer.create({ ...recipe, resize: 'cpu' });
    const whole = NinTrainer.create(recipe);
    const [cpuLoss, deviceLoss] = [await firstLoss(cpu), await firstLoss(whole)];
    expect(deviceLoss).not.toBe(cpuLoss);
    expect(deviceLoss).toBeCloseTo(cpuLoss, 2);
    expect(await runToEnd(whole, train)).toBe(true);
    const expected = await snapshot(whole);

    const first = NinTrainer.create(recipe);
    expect(await runToEnd(first, train, 3)).toBe(false);
    const resumed = NinTrainer.fromCheckpoint(await first.checkpoint());
    first.dispose();
    expect(resumed.recipe.resize).toBe('device');
    expect(await runToEnd(resumed, train)).toBe(true);
    const got = await snapshot(resumed);
    for (const k of Object.keys(expected)) expect(got[k], k).toEqual(expected[k]);
    expect(timeless(resumed)).toEqual(timeless(whole));
    for (const t of [cpu, whole, resumed]) t.dispose();
  });

  it('a fitted schedule ends the run at its step, mid-epoch, over the fitted horizon; a checkpoint keeps the fit', async () => {
    const recipe: TrainingRecipe = { ...SMALL, limit: 16, schedule: 'cosine', epochs: 3 }; // 2 steps per epoch, 6 planned
    const trainer = NinTrainer.create(recipe);
    const rates: number[] = [];
    await trainer.trainEpoch(train, { shouldStop: () => rates.length >= 1, onStep: (e) => rates.push(e.learningRate) });
    expect(() =>
      trainer.fitSchedule({ totalSteps: 1, stepSeconds: 1, remainingSeconds: 10, reservedSeconds: 2 }),
    ).toThrow(/must end after step 1/);
    const fit = trainer.fitSchedule({ totalSteps: 3, stepSeconds: 1, remainingSeconds: 10, reservedSeconds: 2 });
    expect(fit).toEqual({
      atStep: 1,
      epochs: 3,
      totalSteps: 3,
      stepSeconds: 1,
      remainingSeconds: 10,
      reservedSeconds: 2,
    });
    expect(trainer.endStep(train.count)).toBe(3);
    // The checkpoint carries the fit: a resumed run ends where this one does.
    const resumed = NinTrainer.fromCheckpoint(await trainer.checkpoint());
    expect(resumed.recipe.scheduleFits).toEqual([fit]);
    for (const t of [trainer, resumed]) {
      const seen: number[] = t === trainer ? rates : [rates[0]];
      while (!t.done) {
        const { finished } = await t.trainEpoch(train, { onStep: (e) => seen.push(e.learningRate) });
        expect(finished).toBe(true);
        t.finishEpoch(null, train.count);
      }
      expect(t.state.globalStep).toBe(3);
      // epoch 1 whole, then 1 of epoch 2's 2 steps
      expect(t.state.history.map((r) => [r.epoch, r.fraction])).toEqual([
        [1, undefined],
        [1.5, 0.5],
      ]);
      // step 0 before the fit followed the planned 6 steps; then the cosine over 3, down to its last step
      expect(seen).toHaveLength(3);
      expect(seen[0]).toBeCloseTo(0.05, 10);
      for (let s = 1; s < 3; s++) expect(seen[s]).toBeCloseTo(0.025 * (1 + Math.cos((Math.PI * s) / 3)), 10);
    }
    expect(await snapshot(resumed)).toEqual(await snapshot(trainer));
    // Extending the plan leaves the fit behind: the schedule runs over the new plan again.
    trainer.extendTo(4);
    expect(trainer.done).toBe(false);
    expect(trainer.endStep(train.count)).toBe(8);
    trainer.dispose();
    resumed.dispose();
  });

  it('refuses to distil without teacher logits', async () => {
    const distill = { teacher: 't', teacherSha256: 'x', teacherInputSize: 67, weight: 0.5, temperature: 4 };
    const trainer = NinTrainer.create({ ...SMALL, epochs: 1, limit: 16, distill });
    await expect(trainer.trainEpoch(train)).rejects.toThrow(/no teacher logits/);
    trainer.dispose();
  });

  it('refuses a checkpoint that is not one', () => {
    expect(() =>
      NinTrainer.fromCheckpoint(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])),
    ).toThrow(/not a nin training checkpoint/);
  });
});
