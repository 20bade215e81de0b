import { DEFAULT_INPUT_SIZE } from '../model/architecture.ts';
import { NIN_INITS, type NinInit } from './init.ts';

/**
 * Everything that decides what a training run computes. It is written into every checkpoint and into the
 * trained model's manifest, so a model says how it was made and a resumed run refuses a different recipe.
 */
export interface TrainingRecipe {
  readonly inputSize: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** peak learning rate */
  readonly learningRate: number;
  /** SGD momentum (PyTorch semantics: v = m*v + g; p -= lr*v); 0 is plain SGD */
  readonly momentum: number;
  /** L2 penalty added to the gradient, as PyTorch's SGD `weight_decay` */
  readonly weightDecay: number;
  /** `constant`, or `cosine` decay to 0 over all planned steps */
  readonly schedule: 'constant' | 'cosine';
  /** steps of linear warm-up from 0 to the peak learning rate */
  readonly warmupSteps: number;
  /** conv weight initialisation: d2l's `xavier-uniform`, or `he-normal` (biases: PyTorch's default either way) */
  readonly init: NinInit;
  /** seeds initialisation, shuffling and dropout */
  readonly seed: number;
  /** train on the first N training images only (0: all 60,000) */
  readonly limit: number;
  /**
   * Set when a resumed run planned more epochs than the recipe had: the plan it had and the global step at which
   * it grew. The schedule is recomputed over the new total from there (for cosine: a warm restart).
   */
  readonly extendedFrom?: readonly { readonly epochs: number; readonly atStep: number }[];
}

/**
 * d2l's recipe for NiN (`d2l.train_ch6(net, train_iter, test_iter, num_epochs=10, lr=0.1)`, batch 128, resize
 * 224): plain SGD, Xavier-uniform initialisation, dropout 0.5, softmax cross-entropy, shuffled batches.
 */
export const D2L_RECIPE: TrainingRecipe = {
  inputSize: DEFAULT_INPUT_SIZE,
  epochs: 10,
  batchSize: 128,
  learningRate: 0.1,
  momentum: 0,
  weightDecay: 0,
  schedule: 'constant',
  warmupSteps: 0,
  init: 'xavier-uniform',
  seed: 0,
  limit: 0,
};

/** The fixed parts of the recipe, recorded beside the tunable ones. */
export const RECIPE_CONSTANTS = {
  model: 'd2l-nin',
  optimizer: 'sgd',
  biasInit: 'U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch default)',
  dropout: 0.5,
  loss: 'softmax-cross-entropy (mean over the batch)',
  batches: 'shuffled every epoch (seeded), last partial batch kept',
  preprocessing: 'PIL-bilinear resize of the 28x28 image to inputSize, then /255 (torchvision Resize + ToTensor)',
  augmentation: 'none',
} as const;

export function checkRecipe(r: TrainingRecipe): void {
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt(r.epochs, 'epochs');
  positiveInt(r.batchSize, 'batch size');
  if (!(r.learningRate > 0) || !Number.isFinite(r.learningRate)) throw new RangeError(`learning rate must be > 0, got ${r.learningRate}`);
  if (!(r.momentum >= 0 && r.momentum < 1)) throw new RangeError(`momentum must be in [0, 1), got ${r.momentum}`);
  if (!(r.weightDecay >= 0) || !Number.isFinite(r.weightDecay)) throw new RangeError(`weight decay must be >= 0, got ${r.weightDecay}`);
  if (r.schedule !== 'constant' && r.schedule !== 'cosine') throw new RangeError(`schedule must be constant or cosine, got ${String(r.schedule)}`);
  if (!Number.isInteger(r.warmupSteps) || r.warmupSteps < 0) throw new RangeError(`warm-up steps must be an integer >= 0, got ${r.warmupSteps}`);
  if (!NIN_INITS.includes(r.init)) throw new RangeError(`init must be one of ${NIN_INITS.join(', ')}, got ${String(r.init)}`);
  if (!Number.isInteger(r.seed) || r.seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${r.seed}`);
  if (!Number.isInteger(r.limit) || r.limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${r.limit}`);
}

/** The learning rate of step `step` (0-based, counted over the whole run) of `totalSteps`. */
export function learningRateAt(r: TrainingRecipe, step: number, totalSteps: number): number {
  if (r.warmupSteps > 0 && step < r.warmupSteps) return (r.learningRate * (step + 1)) / r.warmupSteps;
  if (r.schedule === 'constant') return r.learningRate;
  const span = Math.max(1, totalSteps - r.warmupSteps);
  const t = Math.min(1, (step - r.warmupSteps) / span);
  return 0.5 * r.learningRate * (1 + Math.cos(Math.PI * t));
}
