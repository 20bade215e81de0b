import * as tf from '@tensorflow/tfjs-core';
import { NIN_TENSORS } from '../model/architecture.ts';
import { stateDictFromParams } from '../model/params.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import type { LabelledImages } from '../data/idx.ts';
import type { StateDict } from '../weights/state-dict.ts';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../weights/safetensors.ts';
import {
  checkRecipe,
  completeRecipe,
  currentFit,
  learningRateAt,
  scheduleSteps,
  type ScheduleFit,
  type TrainingRecipe,
} from './recipe.ts';
import { initialWeights } from './init.ts';
import { createOptimizer, type NinOptimizer } from './optimizer.ts';
import { dropoutSeedFor, epochOrder } from './shuffle.ts';
import { clipByGlobalNorm, type StepResult } from './step.ts';
import { localGradients, type GradientSource } from './gradient-source.ts';
import { transformFor, transformImage } from './augment.ts';

/** The teacher's logits `[count, 10]` for every training image, as is and mirrored (distillation). */
export interface TeacherLogits {
  readonly logits: Float32Array;
  /** for the left-right mirrored images; null when the recipe does not flip */
  readonly flipped: Float32Array | null;
}

/** The training set, with the teacher's logits when the recipe distils. */
export interface TrainingData extends LabelledImages {
  readonly teacher?: TeacherLogits | null;
}

/** What one finished epoch measured. */
export interface EpochRecord {
  /** 1-based; for an epoch cut short by a fitted schedule, the epochs done (e.g. 4.18) */
  readonly epoch: number;
  /** only for an epoch cut short by a fitted schedule: the part of it that ran (steps run / steps per epoch) */
  readonly fraction?: number;
  /** mean training loss over the epoch's batches (dropout on) */
  readonly trainLoss: number;
  /** fraction of training images classified right during the epoch (dropout on, weights moving) */
  readonly trainAccuracy: number;
  /** full test set, inference mode; null when not evaluated */
  readonly testAccuracy: number | null;
  readonly testPerClass: readonly number[] | null;
  readonly learningRate: number;
  /** training time of the epoch (summed over resumed pieces), evaluation excluded */
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
}

/** The position and running sums of the epoch in progress: what a mid-epoch checkpoint must carry. */
interface EpochProgress {
  step: number;
  seen: number;
  lossSum: number;
  correct: number;
  seconds: number;
}

export interface TrainerState {
  recipe: TrainingRecipe;
  /** epochs finished */
  completedEpochs: number;
  /** optimiser steps taken over the whole run */
  globalStep: number;
  current: EpochProgress;
  history: EpochRecord[];
}

export interface StepEvent extends StepResult {
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seconds: number;
  /** running means over the epoch so far */
  readonly epochLoss: number;
  readonly epochAccuracy: number;
  /** global L2 norm of the batch gradient before clipping (only computed when the recipe clips) */
  readonly gradientNorm: number | null;
}

export const CHECKPOINT_KEY = 'nin_training_checkpoint';
const CHECKPOINT_FORMAT = 'nin-bench.checkpoint/1';

const freshProgress = (): EpochProgress => ({ step: 0, seen: 0, lossSum: 0, correct: 0, seconds: 0 });

/**
 * A NiN being trained: parameters and optimiser state on the active backend, plus the bookkeeping that makes a
 * run resumable bit for bit (epoch, step within the epoch, running sums). Shuffling and dropout are pure
 * functions of (seed, epoch) and (seed, step), so no RNG state needs saving.
 */
export class NinTrainer {
  private constructor(
    readonly params: Map<string, tf.Variable>,
    readonly optimizer: NinOptimizer,
    readonly state: TrainerState,
  ) {}

  /** Fresh parameters (the recipe's initialisation, seeded; d2l's Xavier-uniform by default). */
  static create(recipe: TrainingRecipe): NinTrainer {
    recipe = completeRecipe(recipe);
    checkRecipe(recipe);
    const init = initialWeights(recipe.init, recipe.seed);
    const params = new Map<string, tf.Variable>();
    for (const spec of NIN_TENSORS) {
      const w = init.get(spec.name)!;
      params.set(spec.name, tf.variable(tf.tensor(w.data, w.shape), true));
    }
    return new NinTrainer(params, createOptimizer(recipe, params), {
      recipe,
      completedEpochs: 0,
      globalStep: 0,
      current: freshProgress(),
      history: [],
    });
  }

  /** Restores a trainer from {@link checkpoint} bytes (parameters, momentum, position, history). */
  static fromCheckpoint(bytes: Uint8Array): NinTrainer {
    const file = parseSafetensors(bytes);
    const json = file.metadata[CHECKPOINT_KEY];
    if (!json) throw new Error('not a nin training checkpoint (no metadata)');
    const meta = JSON.parse(json) as { format: string; state: TrainerState };
    if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`unknown checkpoint format ${meta.format}`);
    const trainer = NinTrainer.create(meta.state.recipe);
    meta.state.recipe = trainer.recipe;
    const read = (name: string): Float32Array => {
      const raw = file.tensors.get(name);
      if (!raw || raw.dtype !== 'F32') throw new Error(`checkpoint tensor ${name} is missing`);
      return new Float32Array(raw.bytes.slice().buffer);
    };
    for (const [name, p] of trainer.params) {
      const data = read(`param/${name}`);
      if (data.length !== p.size)
        throw new Error(`checkpoint tensor param/${name} has ${data.length} values, expected ${p.size}`);
      tf.tidy(() => p.assign(tf.tensor(data, p.shape)));
    }
    trainer.optimizer.loadState(new Map([...trainer.optimizer.state.keys()].map((key) => [key, read(key)])));
    Object.assign(trainer.state, meta.state);
    return trainer;
  }

  get recipe(): TrainingRecipe {
    return this.state.recipe;
  }

  /** Plans `epochs` epochs instead of the recipe's (more only), recording the change in the recipe. */
  extendTo(epochs: number): void {
    if (!Number.isInteger(epochs) || epochs <= this.recipe.epochs)
      throw new RangeError(`can only extend the run beyond its ${this.recipe.epochs} epochs, got ${epochs}`);
    this.state.recipe = {
      ...this.recipe,
      epochs,
      extendedFrom: [
        ...(this.recipe.extendedFrom ?? []),
        { epochs: this.recipe.epochs, atStep: this.state.globalStep },
      ],
    };
  }

  /**
   * Ends the schedule, and the run, at global step `fit.totalSteps` (when fewer than planned), recorded in the
   * recipe: the horizon a time budget allows (see run.ts's --fit-schedule). Applies from the next step on.
   */
  fitSchedule(fit: Omit<ScheduleFit, 'atStep' | 'epochs'>): ScheduleFit {
    if (!Number.isInteger(fit.totalSteps) || fit.totalSteps <= this.state.globalStep)
      throw new RangeError(`a fitted schedule must end after step ${this.state.globalStep}, got ${fit.totalSteps}`);
    const recorded: ScheduleFit = { atStep: this.state.globalStep, epochs: this.recipe.epochs, ...fit };
    this.state.recipe = { ...this.recipe, scheduleFits: [...(this.recipe.scheduleFits ?? []), recorded] };
    return recorded;
  }

  /** The global step the run ends at: every planned step, or where its schedule was fitted to end. */
  endStep(trainCount: number): number {
    return scheduleSteps(this.recipe, this.stepsPerEpoch(trainCount));
  }

  /** Every planned epoch done, or (with a fitted schedule) every step it fitted done and its epoch closed. */
  get done(): boolean {
    if (this.state.completedEpochs >= this.recipe.epochs) return true;
    const fit = currentFit(this.recipe);
    return fit !== undefined && this.state.current.step === 0 && this.state.globalStep >= fit.totalSteps;
  }

  stepsPerEpoch(trainCount: number): number {
    return Math.ceil(this.trainCount(trainCount) / this.recipe.batchSize);
  }

  private trainCount(available: number): number {
    return this.recipe.limit > 0 ? Math.min(this.recipe.limit, available) : available;
  }

  /**
   * Trains the current epoch from where it stands to its end (or to the end of a fitted schedule: then it is
   * finished early), or until `shouldStop()` says so between steps. `finished`: the epoch waits for
   * {@link finishEpoch}. `microBatch` overrides the recipe's where the backend needs smaller parts (summation
   * order only).
   */
  async trainEpoch(
    data: TrainingData,
    hooks: {
      shouldStop?: () => boolean;
      onStep?: (e: StepEvent) => void;
      now?: () => number;
      gradients?: GradientSource;
      microBatch?: number;
    } = {},
  ): Promise<{ finished: boolean }> {
    const { current } = this.state;
    // onStep may fit the schedule (a new recipe): read it afresh every step.
    let recipe = this.recipe;
    const now = hooks.now ?? (() => performance.now());
    const count = this.trainCount(data.count);
    const stepsPerEpoch = this.stepsPerEpoch(data.count);
    const microBatch = hooks.microBatch ?? recipe.microBatch;
    const order = epochOrder(count, recipe.seed, this.state.completedEpochs);
    const size = recipe.inputSize;
    const pixels = new Uint8Array(recipe.batchSize * FASHION_MNIST_PIXELS);
    const source = hooks.gradients ?? localGradients;
    const distill = recipe.distill ? { weight: recipe.distill.weight, temperature: recipe.distill.temperature } : null;
    if (distill && !data.teacher) throw new Error('the recipe distils but no teacher logits were given');
    if (distill && recipe.augment.flip && !data.teacher?.flipped)
      throw new Error('the recipe flips images but the teacher logits of the mirrored images are missing');
    const teacherLogits = distill ? new Float32Array(recipe.batchSize * 10) : null;
    while (current.step < stepsPerEpoch) {
      recipe = this.recipe;
      const totalSteps = scheduleSteps(recipe, stepsPerEpoch);
      if (this.state.globalStep >= totalSteps) return { finished: true };
      // On CPU backends every await above resolves as a microtask, so without this the event loop would never
      // run timers (progress output) or signal handlers (Ctrl-C) during an epoch.
      await new Promise((r) => setTimeout(r, 0));
      if (hooks.shouldStop?.()) return { finished: false };
      const t0 = now();
      const start = current.step * recipe.batchSize;
      const n = Math.min(recipe.batchSize, count - start);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = order[start + i];
        const t = transformFor(recipe.augment, recipe.seed, this.state.completedEpochs, k);
        transformImage(
          data.images.subarray(k * FASHION_MNIST_PIXELS, (k + 1) * FASHION_MNIST_PIXELS),
          t,
          pixels.subarray(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS),
        );
        labels[i] = data.labels[k];
        // Shifts move the garment by a pixel or two; the teacher's answer is taken for the unshifted image.
        if (teacherLogits)
          teacherLogits.set(
            (t.flip ? data.teacher!.flipped! : data.teacher!.logits).subarray(k * 10, (k + 1) * 10),
            i * 10,
          );
      }
      const raw = pixels.subarray(0, n * FASHION_MNIST_PIXELS);
      const onDevice = recipe.resize === 'device';
      const images = onDevice ? Float32Array.from(raw, (v) => v / 255) : preprocessImages(raw, size);
      const learningRate = learningRateAt(recipe, this.state.globalStep, totalSteps);
      const batch = {
        images,
        labels,
        count: n,
        inputSize: size,
        teacherLogits: teacherLogits?.subarray(0, n * 10) ?? null,
        resizeOnDevice: onDevice,
      };
      const computed = await source.compute(
        this.params,
        batch,
        { dropoutSeed: dropoutSeedFor(recipe.seed, this.state.globalStep), distill },
        microBatch,
      );
      let gradientNorm: number | null = null;
      try {
        if (recipe.clipNorm > 0) gradientNorm = await clipByGlobalNorm(computed.grads, recipe.clipNorm);
        this.optimizer.apply(this.params, computed.grads, learningRate, this.state.globalStep + 1);
      } finally {
        for (const g of computed.grads.values()) g.dispose();
      }
      const result: StepResult = { loss: computed.lossSum / n, correct: computed.correct };
      if (!Number.isFinite(result.loss))
        throw new Error(
          `training diverged: loss ${result.loss} at step ${this.state.globalStep} (lower the learning rate)`,
        );
      const seconds = (now() - t0) / 1000;
      current.step++;
      current.seen += n;
      current.lossSum += result.loss * n;
      current.correct += result.correct;
      current.seconds += seconds;
      this.state.globalStep++;
      hooks.onStep?.({
        ...result,
        epoch: this.state.completedEpochs + 1,
        step: current.step,
        stepsPerEpoch,
        batchSize: n,
        learningRate,
        seconds,
        epochLoss: current.lossSum / current.seen,
        epochAccuracy: current.correct / current.seen,
        gradientNorm,
      });
    }
    return { finished: true };
  }

  /**
   * Closes the finished epoch with its test accuracy (or null) and starts the next one. An epoch a fitted schedule
   * cut short is closed as the part that ran (its record says which fraction); extending the run later starts a
   * new epoch, so the rest of that one's images are not seen in it.
   */
  finishEpoch(test: { accuracy: number; perClass: readonly number[] } | null, trainCount: number): EpochRecord {
    const { current, recipe } = this.state;
    const stepsPerEpoch = this.stepsPerEpoch(trainCount);
    const totalSteps = scheduleSteps(recipe, stepsPerEpoch);
    const fraction = current.step < stepsPerEpoch ? current.step / stepsPerEpoch : undefined;
    const record: EpochRecord = {
      epoch: this.state.completedEpochs + (fraction ?? 1),
      ...(fraction !== undefined ? { fraction } : {}),
      trainLoss: current.lossSum / current.seen,
      trainAccuracy: current.correct / current.seen,
      testAccuracy: test?.accuracy ?? null,
      testPerClass: test ? [...test.perClass] : null,
      learningRate: learningRateAt(recipe, this.state.globalStep - 1, totalSteps),
      trainSeconds: current.seconds,
      imagesPerSecond: current.seen / current.seconds,
    };
    this.state.history.push(record);
    this.state.completedEpochs++;
    this.state.current = freshProgress();
    return record;
  }

  /** Whether the epoch in progress has run all its steps, or those a fitted schedule left (and waits for {@link finishEpoch}). */
  epochComplete(trainCount: number): boolean {
    return (
      this.state.current.step >= this.stepsPerEpoch(trainCount) ||
      (this.state.current.step > 0 && this.state.globalStep >= this.endStep(trainCount))
    );
  }

  /** Everything needed to continue exactly: parameters and momentum (tfjs layout, float32) and the state. */
  async checkpoint(): Promise<Uint8Array> {
    const tensors: TensorToWrite[] = [];
    const add = async (name: string, t: tf.Tensor) => {
      const data = (await t.data()) as Float32Array;
      tensors.push({
        name,
        dtype: 'F32',
        shape: t.shape,
        bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      });
    };
    for (const [name, p] of this.params) await add(`param/${name}`, p);
    for (const [key, v] of this.optimizer.state) await add(key, v);
    return serializeSafetensors(tensors, {
      [CHECKPOINT_KEY]: JSON.stringify({ format: CHECKPOINT_FORMAT, state: this.state }),
    });
  }

  /** The parameters as a PyTorch-layout state_dict (for the weights file). */
  stateDict(): Promise<StateDict> {
    return stateDictFromParams(this.params);
  }

  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.optimizer.dispose();
  }
}
