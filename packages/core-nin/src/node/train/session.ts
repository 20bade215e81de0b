import type { BackendInfo } from '../../backends/registry.ts';
import type { LabelledImages } from '../../data/idx.ts';
import type { TrainingRecipe } from '../../training/recipe.ts';
import type { NinTrainer, TrainingData } from '../../training/trainer.ts';
import type { GradientSource } from '../../training/gradient-source.ts';
import type { TrainRunOptions } from './options.ts';

/** The data one run trains and tests on. */
export interface PreparedData {
  /** the whole training split (the trainer reads its first `recipe.limit` images) */
  readonly train: LabelledImages;
  /** what the trainer is handed: the training split, with the teacher's logits when distilling */
  readonly trainData: TrainingData;
  /** the images trained on: the recipe's limit, or the whole split */
  readonly trainCount: number;
  readonly stepsPerEpoch: number;
  /** the test images used (the first `testLimit`, or all) */
  readonly test: LabelledImages;
  /** the size of the whole test split */
  readonly fullTestCount: number;
}

/** How the backend splits work: its storage binding limit, the micro-batch a training step uses, the test batch. */
export interface BatchPlan {
  /** bytes one shader may bind (0: no limit known) */
  readonly bindingLimit: number;
  /** images per forward/backward pass (0: the whole batch) */
  readonly microBatch: number;
  readonly evalBatch: number;
}

/** Where a run writes its files. */
export interface RunPaths {
  readonly checkpoint: string;
  readonly weights: string;
  readonly int8: string;
}

/** Everything a run's steps share: set up once by runTraining, then read by each step. */
export interface TrainingSession {
  readonly options: TrainRunOptions;
  readonly log: (line: string) => void;
  /** the run's clock (ms) */
  readonly now: () => number;
  /** wall-clock start, for the provenance */
  readonly started: Date;
  /** the clock when the run started */
  readonly t0: number;
  /** the clock by which the run stops (Infinity without maxMinutes) */
  readonly deadline: number;
  readonly backend: BackendInfo;
  readonly trainer: NinTrainer;
  /** the recipe as the run began (the trainer's own records a schedule fitted later) */
  readonly recipe: TrainingRecipe;
  /** threads computing each batch's gradient */
  readonly workers: number;
  readonly data: PreparedData;
  readonly batches: BatchPlan;
  readonly gradients: GradientSource | undefined;
  readonly paths: RunPaths;
}

/** What a run has done so far, updated as it goes. */
export interface RunProgress {
  /** optimiser steps in this invocation */
  stepsThisRun: number;
  /** SIGINT seen: finish the step, checkpoint, stop */
  interrupted: boolean;
  wroteWeights: boolean;
  wroteInt8: boolean;
}
