import type * as tf from '@tensorflow/tfjs-core';
import type { TrainingRecipe, WeightDecayScope } from './recipe.ts';
import { SgdOptimizer } from './sgd.ts';
import { AdamWOptimizer } from './adamw.ts';

/**
 * An optimiser of the NiN trainer: its state is plain named tensors (`slot/param`, e.g. `velocity/conv1.weight`)
 * that a checkpoint saves and restores exactly, and its update matches the PyTorch optimiser it is named after.
 */
export interface NinOptimizer {
  /** every state tensor, keyed `slot/param` (empty when the optimiser keeps none) */
  readonly state: ReadonlyMap<string, tf.Variable>;
  /** one update; `step` is the 1-based count of updates so far (Adam's bias correction); disposes nothing it was given */
  apply(
    params: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor>,
    learningRate: number,
    step: number,
  ): void;
  /** restores state saved from {@link state} */
  loadState(values: ReadonlyMap<string, Float32Array>): void;
  dispose(): void;
}

/** Whether weight decay applies to parameter `name` under `scope` (biases are the `.bias` tensors). */
export function decays(scope: WeightDecayScope, name: string): boolean {
  return scope === 'all' || !name.endsWith('.bias');
}

/** The recipe's optimiser over `params`. */
export function createOptimizer(recipe: TrainingRecipe, params: ReadonlyMap<string, tf.Variable>): NinOptimizer {
  if (recipe.optimizer === 'adamw') return new AdamWOptimizer(params, recipe.weightDecay, recipe.weightDecayScope);
  return new SgdOptimizer(params, recipe.momentum, recipe.weightDecay, recipe.weightDecayScope);
}

/** Loads `slot/param` state values into the matching variables, refusing a missing or mis-sized one. */
export function loadOptimizerState(
  state: ReadonlyMap<string, tf.Variable>,
  values: ReadonlyMap<string, Float32Array>,
  assign: (v: tf.Variable, data: Float32Array) => void,
): void {
  for (const [key, v] of state) {
    const data = values.get(key);
    if (!data || data.length !== v.size)
      throw new Error(`checkpoint has no optimiser state of the right size for ${key}`);
    assign(v, data);
  }
}
