import type { BackendInfo } from '../../backends/registry.ts';
import type { TrainingRecipe } from '../../training/recipe.ts';
import type { EpochRecord } from '../../training/trainer.ts';

/** What `nin train` was asked to do. */
export interface TrainRunOptions {
  readonly recipe: TrainingRecipe;
  /** `auto` or a backend spec (`wasm`, `wasm:simd`, `cpu`, `webgpu`, `tensorflow`) */
  readonly backend: string;
  /** where the weights files go */
  readonly outDir: string;
  /** where the epoch log (JSON) and the curve (SVG) go */
  readonly resultsDir: string;
  readonly checkpointDir: string;
  /** continue from the checkpoint in checkpointDir (its recipe wins) */
  readonly resume: boolean;
  /** with resume: plan this many epochs if the checkpoint planned fewer (recorded in the recipe) */
  readonly extendToEpochs?: number;
  /** stop (checkpointed) rather than start an epoch that would end after this many minutes; also a hard stop */
  readonly maxMinutes?: number;
  /**
   * with maxMinutes: after timing a few steps, end the schedule (and the run, mid-epoch if need be, with a test
   * pass, weights and checkpoint) at the last step that fits the budget, recorded in the recipe's scheduleFits
   */
  readonly fitSchedule?: boolean;
  /** the clock, in milliseconds (default performance.now; tests pass a fake one) */
  readonly now?: () => number;
  /** steps timed before fitting the schedule, after skipping some (default FIT_SKIPPED_STEPS, FIT_TIMED_STEPS) */
  readonly fitTiming?: { readonly skip: number; readonly timed: number };
  /** Fashion-MNIST directory (default: $FASHION_MNIST_DIR, ./data/fashion-mnist, Debian's path) */
  readonly dataDir?: string;
  /** also write an int8 copy of the weights after every tested epoch, evaluated on its own */
  readonly int8: boolean;
  /** draw a progress bar (stderr); otherwise one line per epoch */
  readonly progress: boolean;
  /** test every epoch (default) or only at the end (cheaper; the final figure is always on the full test set) */
  readonly testEveryEpoch: boolean;
  /** test on the first N test images only (smoke runs; the manifest says how many were used) */
  readonly testLimit?: number;
  /** distil from this teacher (a fresh run; a resumed one keeps its recipe's teacher, which must be unchanged) */
  readonly distill?: { readonly teacherPath: string; readonly weight: number; readonly temperature: number };
  /** where the teacher's logits are cached (default checkpoints/teacher-logits) */
  readonly teacherCacheDir?: string;
  /** threads computing each batch's gradient, one core each (default 1; CPU backends only) */
  readonly workers?: number;
  /** stop after this many optimiser steps in this invocation (tests simulate an interrupted run with it) */
  readonly stopAfterSteps?: number;
  readonly log?: (line: string) => void;
  /** command line, for the provenance */
  readonly argv?: readonly string[];
}

export interface TrainRunResult {
  readonly status: 'finished' | 'stopped' | 'interrupted';
  readonly history: readonly EpochRecord[];
  readonly weightsPath: string | null;
  readonly int8Path: string | null;
  readonly checkpointPath: string;
  readonly backend: BackendInfo;
}
