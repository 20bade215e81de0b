import { D2L_RECIPE, type TrainingRecipe } from './recipe.ts';

/**
 * Small but real: the first `limit` Fashion-MNIST training images at the smallest input NiN accepts, two epochs
 * of batch 8 with momentum SGD, seeded. The recipe the training tests start from.
 */
export function smallRecipe(limit: number, seed: number): TrainingRecipe {
  return {
    ...D2L_RECIPE,
    inputSize: 67,
    batchSize: 8,
    epochs: 2,
    learningRate: 0.05,
    momentum: 0.9,
    limit,
    seed,
  };
}
