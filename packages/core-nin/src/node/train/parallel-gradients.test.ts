import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { activateTrainingBackend } from './backend.ts';
import { createParallelGradients } from './parallel-gradients.ts';
import type { LabelledImages } from '../../data/idx.ts';
import { D2L_RECIPE, type TrainingRecipe } from '../../training/recipe.ts';
import { NinTrainer } from '../../training/trainer.ts';

// A few real steps at the smallest input, with everything that draws per image switched on (dropout, shifts, flips).
const RECIPE: TrainingRecipe = {
  ...D2L_RECIPE,
  inputSize: 67,
  batchSize: 9,
  epochs: 1,
  limit: 27,
  learningRate: 0.002,
  optimizer: 'adamw',
  init: 'he-normal',
  augment: { shift: 2, flip: true },
  seed: 5,
};

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function values(trainer: NinTrainer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, p] of trainer.params) out.set(k, (await p.data()) as Float32Array);
  return out;
}

async function trained(
  recipe: TrainingRecipe,
  gradients?: Awaited<ReturnType<typeof createParallelGradients>>,
): Promise<Map<string, Float32Array>> {
  const trainer = NinTrainer.create(recipe);
  await trainer.trainEpoch(train, { gradients });
  const out = new Map<string, Float32Array>();
  for (const [k, p] of trainer.params) out.set(k, (await p.data()) as Float32Array);
  trainer.dispose();
  return out;
}

let train: LabelledImages;

describe('parallel gradients (worker threads)', () => {
  beforeAll(async () => {
    await activateTrainingBackend('wasm:simd');
    train = await loadFashionMnist('train', { download: false });
  });

  it('two workers train to the one-worker parameters, up to float summation order', async () => {
    const source = await createParallelGradients(2, 'wasm:simd');
    try {
      expect(source.description).toMatch(/2 threads .*wasm:simd/);
      // SGD is linear in the gradient: the parameters agree to float precision.
      const sgd: TrainingRecipe = { ...RECIPE, optimizer: 'sgd', momentum: 0.9, learningRate: 0.05 };
      const [one, two] = [await trained(sgd), await trained(sgd, source)];
      let worst = 0;
      for (const [k, a] of one) {
        const b = two.get(k)!;
        const scale = Math.max(1e-3, maxAbs(a));
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
      }
      console.log(
        `[parallel] 3 SGD steps, 2 workers vs 1: worst parameter difference ${worst.toExponential(2)} of the tensor's largest value`,
      );
      expect(worst).toBeLessThan(2e-6);
      // AdamW divides by the gradient's own size, so an element whose gradient is float noise may step by up to lr
      // either way: bounded by steps x lr, and on the whole the same.
      const [adamOne, adamTwo] = [await trained(RECIPE), await trained(RECIPE, source)];
      let worstAdam = 0;
      for (const [k, a] of adamOne)
        a.forEach((v, i) => (worstAdam = Math.max(worstAdam, Math.abs(v - adamTwo.get(k)![i]))));
      console.log(
        `[parallel] 3 AdamW steps: worst absolute difference ${worstAdam.toExponential(2)} (lr ${RECIPE.learningRate})`,
      );
      expect(worstAdam).toBeLessThanOrEqual(3 * RECIPE.learningRate);
      // Not trivially equal because nothing moved: every parameter changed.
      const fresh = NinTrainer.create(RECIPE);
      for (const [k, before] of await values(fresh)) expect(one.get(k), k).not.toEqual(before);
      fresh.dispose();
    } finally {
      await source.dispose();
    }
  });

  it('a worker that cannot start its backend is an error that says so, not a hang', async () => {
    await expect(createParallelGradients(2, 'nonsense')).rejects.toThrow(/gradient worker 1: .*nonsense/s);
  });
});
