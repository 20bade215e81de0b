import { DEFAULT_INPUT_SIZE } from '../model/architecture.ts';
import { NIN_INITS, type NinInit } from './init.ts';

export type Schedule = 'constant' | 'cosine' | 'onecycle';
export const SCHEDULES: readonly Schedule[] = ['constant', 'cosine', 'onecycle'];
export type OptimizerName = 'sgd' | 'adamw';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adamw'];
export type WeightDecayScope = 'all' | 'weights';
/** Where training images are resized to the input size: `cpu` (PIL's bilinear, bit for bit) or `device` (the backend's). */
export type ResizeMode = 'cpu' | 'device';
export const RESIZE_MODES: readonly ResizeMode[] = ['cpu', 'device'];

/** Label-preserving changes to the 28x28 training image, drawn per (seed, epoch, image) so a resume replays them. */
export interface Augmentation {
  /** shift by up to this many pixels along each axis (uniform integer), zeros shifted in; 0: none */
  readonly shift: number;
  /** mirror left-right with probability 1/2 */
  readonly flip: boolean;
}

/**
 * Knowledge distillation (Hinton et al. 2015): the loss is `(1 - weight) * CE(student, label) + weight * T^2 *
 * KL(softmax(teacher / T) || softmax(student / T))`, with the teacher's logits computed once per training image.
 */
export interface Distillation {
  /** the teacher's weights file, as given (resolved against the working directory) */
  readonly teacher: string;
  /** the teacher's manifest `tensorsSha256`: a resumed run refuses another teacher */
  readonly teacherSha256: string;
  readonly teacherInputSize: number;
  readonly weight: number;
  readonly temperature: number;
}

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
  /** `sgd` (with `momentum`) or `adamw` (PyTorch's AdamW: betas 0.9/0.999, eps 1e-8, decoupled decay) */
  readonly optimizer: OptimizerName;
  /** sgd: L2 penalty added to the gradient, as PyTorch's SGD `weight_decay`; adamw: decoupled decay rate */
  readonly weightDecay: number;
  /** which parameters decay: `all` (PyTorch's default) or conv `weights` only (biases never) */
  readonly weightDecayScope: WeightDecayScope;
  /**
   * `constant`; `cosine` decay to 0 over all planned steps; `onecycle` (PyTorch's OneCycleLR: cosine up from lr/25
   * over 30% of the steps, then down to lr/25e4)
   */
  readonly schedule: Schedule;
  /** steps of linear warm-up from 0 to the peak learning rate */
  readonly warmupSteps: number;
  /** conv weight initialisation: d2l's `xavier-uniform`, or `he-normal` (biases: PyTorch's default either way) */
  readonly init: NinInit;
  /** seeds initialisation, shuffling and dropout */
  readonly seed: number;
  /** train on the first N training images only (0: all 60,000) */
  readonly limit: number;
  /** gradients are computed this many images at a time and summed (gradient accumulation); 0: the whole batch at once */
  readonly microBatch: number;
  /** the batch gradient is scaled down to this global L2 norm when it is longer; 0: no clipping */
  readonly clipNorm: number;
  readonly augment: Augmentation;
  readonly distill: Distillation | null;
  /**
   * `cpu`: each training batch is resized with PIL's bilinear arithmetic (as `nin eval`); `device`: the 28x28 images
   * go to the backend and are resized there (tf.image.resizeBilinear, half-pixel centres: the same interpolation
   * without PIL's rounding to bytes), so a GPU is not held up by the CPU. Evaluation always resizes as `nin eval`.
   */
  readonly resize: ResizeMode;
  /**
   * Set when a resumed run planned more epochs than the recipe had: the plan it had and the global step at which
   * it grew. The schedule is recomputed over the new total from there (for cosine: a warm restart).
   */
  readonly extendedFrom?: readonly { readonly epochs: number; readonly atStep: number }[];
  /**
   * Set when a run fitted its schedule to a time budget (`nin train --fit-schedule`): after timing a few steps it
   * moved the schedule's end (and the run's) to the last step that fits. The last fit made for the current
   * `epochs` applies; extending the run replaces it with the new plan.
   */
  readonly scheduleFits?: readonly ScheduleFit[];
}

/** One fit of the schedule to a time budget: what was measured and the step the schedule (and the run) ends at. */
export interface ScheduleFit {
  /** global step at which the fit was made (the steps before it followed the planned horizon) */
  readonly atStep: number;
  /** the recipe's `epochs` when the fit was made: the fit applies to that plan only */
  readonly epochs: number;
  /** the global step the schedule decays to its end at, and the run stops at (at most every planned step) */
  readonly totalSteps: number;
  /** measured seconds per step */
  readonly stepSeconds: number;
  /** seconds of the budget left when the fit was made, and those set aside for test passes and writes */
  readonly remainingSeconds: number;
  readonly reservedSeconds: number;
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
  optimizer: 'sgd',
  weightDecay: 0,
  weightDecayScope: 'all',
  schedule: 'constant',
  warmupSteps: 0,
  init: 'xavier-uniform',
  seed: 0,
  limit: 0,
  microBatch: 0,
  clipNorm: 0,
  augment: { shift: 0, flip: false },
  distill: null,
  resize: 'cpu',
};

/**
 * The recipe with every field present: a checkpoint or manifest written before a field existed gets the value
 * that run actually used (checkpoints written before `init` existed were all Xavier-uniform, and so on).
 */
export function completeRecipe(r: Partial<TrainingRecipe> & Pick<TrainingRecipe, 'inputSize'>): TrainingRecipe {
  return { ...D2L_RECIPE, ...r } as TrainingRecipe;
}

/** The fixed parts of the recipe, recorded beside the tunable ones. */
export const RECIPE_CONSTANTS = {
  model: 'd2l-nin',
  adamw: 'betas (0.9, 0.999), eps 1e-8, decoupled weight decay, bias-corrected (torch.optim.AdamW)',
  biasInit: 'U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch default)',
  dropout: 0.5,
  dropoutMasks: 'one mask per image, seeded by (seed, global step, position in the batch)',
  loss: 'softmax-cross-entropy (mean over the batch); with distill: (1-w)*CE + w*T^2*KL(teacher_T || student_T)',
  batches: 'shuffled every epoch (seeded), last partial batch kept',
  preprocessing:
    'PIL-bilinear resize of the 28x28 image to inputSize, then /255 (torchvision Resize + ToTensor); ' +
    'recipe.resize device: /255, then bilinear with half-pixel centres on the backend (training batches only)',
  augmentation:
    'recipe.augment on the 28x28 image before the resize: integer shift with zeros shifted in, left-right flip',
} as const;

export function checkRecipe(r: TrainingRecipe): void {
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt(r.epochs, 'epochs');
  positiveInt(r.batchSize, 'batch size');
  if (!(r.learningRate > 0) || !Number.isFinite(r.learningRate))
    throw new RangeError(`learning rate must be > 0, got ${r.learningRate}`);
  if (!(r.momentum >= 0 && r.momentum < 1)) throw new RangeError(`momentum must be in [0, 1), got ${r.momentum}`);
  if (!(r.weightDecay >= 0) || !Number.isFinite(r.weightDecay))
    throw new RangeError(`weight decay must be >= 0, got ${r.weightDecay}`);
  if (!SCHEDULES.includes(r.schedule))
    throw new RangeError(`schedule must be one of ${SCHEDULES.join(', ')}, got ${String(r.schedule)}`);
  if (!OPTIMIZERS.includes(r.optimizer))
    throw new RangeError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${String(r.optimizer)}`);
  if (r.weightDecayScope !== 'all' && r.weightDecayScope !== 'weights')
    throw new RangeError(`weight decay scope must be all or weights, got ${String(r.weightDecayScope)}`);
  if (!Number.isInteger(r.microBatch) || r.microBatch < 0)
    throw new RangeError(`micro-batch must be an integer >= 0, got ${r.microBatch}`);
  if (!(r.clipNorm >= 0) || !Number.isFinite(r.clipNorm))
    throw new RangeError(`clip norm must be >= 0, got ${r.clipNorm}`);
  if (!RESIZE_MODES.includes(r.resize))
    throw new RangeError(`resize must be one of ${RESIZE_MODES.join(', ')}, got ${String(r.resize)}`);
  if (!Number.isInteger(r.augment.shift) || r.augment.shift < 0 || r.augment.shift > 13)
    throw new RangeError(`augmentation shift must be an integer in [0, 13], got ${r.augment.shift}`);
  if (r.distill) {
    if (!(r.distill.weight >= 0 && r.distill.weight <= 1))
      throw new RangeError(`distillation weight must be in [0, 1], got ${r.distill.weight}`);
    if (!(r.distill.temperature > 0) || !Number.isFinite(r.distill.temperature))
      throw new RangeError(`distillation temperature must be > 0, got ${r.distill.temperature}`);
  }
  if (!Number.isInteger(r.warmupSteps) || r.warmupSteps < 0)
    throw new RangeError(`warm-up steps must be an integer >= 0, got ${r.warmupSteps}`);
  if (!NIN_INITS.includes(r.init))
    throw new RangeError(`init must be one of ${NIN_INITS.join(', ')}, got ${String(r.init)}`);
  if (!Number.isInteger(r.seed) || r.seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${r.seed}`);
  if (!Number.isInteger(r.limit) || r.limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${r.limit}`);
}

/** The steps the schedule runs over: every planned step, or the fitted end when the run fitted its schedule to its budget. */
export function scheduleSteps(r: TrainingRecipe, stepsPerEpoch: number): number {
  const planned = stepsPerEpoch * r.epochs;
  const fit = currentFit(r);
  return fit ? Math.min(planned, fit.totalSteps) : planned;
}

/** The fit of the schedule to a time budget that applies to the recipe's plan, if any (the last made for its epochs). */
export function currentFit(r: TrainingRecipe): ScheduleFit | undefined {
  return r.scheduleFits?.filter((f) => f.epochs === r.epochs).at(-1);
}

/** The learning rate of step `step` (0-based, counted over the whole run) of `totalSteps`. */
export function learningRateAt(r: TrainingRecipe, step: number, totalSteps: number): number {
  if (r.schedule === 'onecycle') return oneCycleRate(r.learningRate, step, totalSteps);
  if (r.warmupSteps > 0 && step < r.warmupSteps) return (r.learningRate * (step + 1)) / r.warmupSteps;
  if (r.schedule === 'constant') return r.learningRate;
  const span = Math.max(1, totalSteps - r.warmupSteps);
  const t = Math.min(1, (step - r.warmupSteps) / span);
  return 0.5 * r.learningRate * (1 + Math.cos(Math.PI * t));
}

/** PyTorch's OneCycleLR with its defaults (anneal cosine, pct_start 0.3, div_factor 25, final_div_factor 1e4). */
export const ONE_CYCLE = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 } as const;

function oneCycleRate(maxLr: number, step: number, totalSteps: number): number {
  const initial = maxLr / ONE_CYCLE.divFactor;
  const final = initial / ONE_CYCLE.finalDivFactor;
  // PyTorch's phase ends: step (pct_start * total - 1) is the peak, step (total - 1) the end.
  const peak = ONE_CYCLE.pctStart * totalSteps - 1;
  const end = totalSteps - 1;
  const cos = (from: number, to: number, t: number) =>
    to + ((from - to) / 2) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, t))));
  if (step <= peak) return cos(initial, maxLr, peak > 0 ? step / peak : 1);
  return cos(maxLr, final, (step - peak) / Math.max(1e-9, end - peak));
}
