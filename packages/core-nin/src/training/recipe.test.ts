import { describe, expect, it } from 'vitest';
import { D2L_RECIPE, checkRecipe, completeRecipe, learningRateAt, scheduleSteps } from './recipe.ts';

describe('training recipe', () => {
  it("defaults to d2l's NiN recipe", () => {
    expect(D2L_RECIPE).toMatchObject({
      inputSize: 224,
      epochs: 10,
      batchSize: 128,
      learningRate: 0.1,
      momentum: 0,
      schedule: 'constant',
      warmupSteps: 0,
    });
    expect(learningRateAt(D2L_RECIPE, 0, 100)).toBe(0.1);
    expect(learningRateAt(D2L_RECIPE, 99, 100)).toBe(0.1);
  });

  it('warms up linearly, then follows a cosine to zero', () => {
    const r = { ...D2L_RECIPE, learningRate: 0.04, schedule: 'cosine' as const, warmupSteps: 10 };
    expect(learningRateAt(r, 0, 110)).toBeCloseTo(0.004, 12);
    expect(learningRateAt(r, 9, 110)).toBeCloseTo(0.04, 12);
    expect(learningRateAt(r, 10, 110)).toBeCloseTo(0.04, 12);
    expect(learningRateAt(r, 60, 110)).toBeCloseTo(0.02, 12);
    expect(learningRateAt(r, 110, 110)).toBeCloseTo(0, 12);
  });

  it.each([
    [{ epochs: 0 }, /epochs/],
    [{ batchSize: 1.5 }, /batch size/],
    [{ learningRate: -1 }, /learning rate/],
    [{ momentum: 1 }, /momentum/],
    [{ schedule: 'linear' }, /schedule/],
    [{ limit: -3 }, /limit/],
    [{ optimizer: 'adam' }, /optimizer/],
    [{ weightDecayScope: 'biases' }, /weight decay scope/],
    [{ microBatch: -1 }, /micro-batch/],
    [{ clipNorm: Number.NaN }, /clip norm/],
    [{ resize: 'gpu' }, /resize must be one of cpu, device/],
    [{ augment: { shift: 14, flip: false } }, /shift/],
    [
      { distill: { teacher: 't', teacherSha256: '', teacherInputSize: 224, weight: 1.5, temperature: 4 } },
      /distillation weight/,
    ],
    [
      { distill: { teacher: 't', teacherSha256: '', teacherInputSize: 224, weight: 0.5, temperature: 0 } },
      /temperature/,
    ],
  ])('rejects %o', (change, message) => {
    expect(() => checkRecipe({ ...D2L_RECIPE, ...(change as object) })).toThrow(message);
  });

  it("one-cycle follows PyTorch's OneCycleLR (cosine, pct_start 0.3, div 25, final div 1e4)", () => {
    const r = { ...D2L_RECIPE, learningRate: 0.002, schedule: 'onecycle' as const };
    const total = 100;
    // torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.002, total_steps=100).get_last_lr() at steps 0, 29, 64, 99
    expect(learningRateAt(r, 0, total)).toBeCloseTo(0.002 / 25, 12);
    expect(learningRateAt(r, 29, total)).toBeCloseTo(0.002, 12);
    const mid = 29 + (99 - 29) / 2;
    expect(learningRateAt(r, mid, total)).toBeCloseTo((0.002 + 0.002 / 25 / 1e4) / 2, 12);
    expect(learningRateAt(r, 99, total)).toBeCloseTo(0.002 / 25 / 1e4, 15);
    for (let s = 1; s < 29; s++) expect(learningRateAt(r, s, total)).toBeGreaterThan(learningRateAt(r, s - 1, total));
    for (let s = 30; s < 100; s++) expect(learningRateAt(r, s, total)).toBeLessThan(learningRateAt(r, s - 1, total));
  });

  it('completes a recipe recorded before a field existed with what that run used', () => {
    const old = {
      inputSize: 96,
      epochs: 2,
      batchSize: 64,
      learningRate: 0.03,
      momentum: 0.9,
      weightDecay: 5e-4,
      schedule: 'cosine',
      warmupSteps: 150,
      seed: 0,
      limit: 0,
    } as const;
    expect(completeRecipe(old)).toMatchObject({
      ...old,
      init: 'xavier-uniform',
      optimizer: 'sgd',
      weightDecayScope: 'all',
      microBatch: 0,
      clipNorm: 0,
      augment: { shift: 0, flip: false },
      distill: null,
      resize: 'cpu',
    });
    expect(completeRecipe(old).scheduleFits).toBeUndefined();
  });

  it("runs the schedule over every planned step, or to the last fit made for the plan's epochs", () => {
    const fit = (epochs: number, totalSteps: number) => ({
      atStep: 10,
      epochs,
      totalSteps,
      stepSeconds: 0.1,
      remainingSeconds: 60,
      reservedSeconds: 5,
    });
    const r = { ...D2L_RECIPE, epochs: 4 };
    expect(scheduleSteps(r, 100)).toBe(400);
    expect(scheduleSteps({ ...r, scheduleFits: [fit(4, 250)] }, 100)).toBe(250);
    expect(scheduleSteps({ ...r, scheduleFits: [fit(4, 250), fit(4, 180)] }, 100)).toBe(180);
    // a fit made for a smaller plan (before the run was extended) no longer applies; nor does one beyond the plan
    expect(scheduleSteps({ ...r, scheduleFits: [fit(2, 150)] }, 100)).toBe(400);
    expect(scheduleSteps({ ...r, scheduleFits: [fit(4, 900)] }, 100)).toBe(400);
  });
});
