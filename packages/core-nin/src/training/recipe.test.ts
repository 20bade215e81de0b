import { describe, expect, it } from 'vitest';
import { D2L_RECIPE, checkRecipe, learningRateAt } from './recipe.ts';

describe('training recipe', () => {
  it("defaults to d2l's NiN recipe", () => {
    expect(D2L_RECIPE).toMatchObject({ inputSize: 224, epochs: 10, batchSize: 128, learningRate: 0.1, momentum: 0, schedule: 'constant', warmupSteps: 0 });
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
  ])('rejects %o', (change, message) => {
    expect(() => checkRecipe({ ...D2L_RECIPE, ...(change as object) })).toThrow(message);
  });
});
