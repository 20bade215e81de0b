import { cpus, totalmem } from 'node:os';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { createNodeBackendRegistry } from '../backends.ts';
import { formatBackend, type BackendInfo } from '../../backends/registry.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { writeNinWeightsFile } from '../weights-file.ts';
import { decodeNinWeights, encodeNinWeights, type StateDict } from '../../weights/state-dict.ts';
import type { ManifestDescription, WeightStorage } from '../../weights/manifest.ts';
import { paramsFromStateDict, disposeParams } from '../../model/params.ts';
import { RECIPE_CONSTANTS, currentFit, type TrainingRecipe } from '../../training/recipe.ts';
import { FIT_SKIPPED_STEPS, FIT_TIMED_STEPS, fitScheduleSteps } from '../../training/fit-schedule.ts';
import { effectiveMicroBatch, microBatchFor } from '../../training/micro-batch.ts';
import { evaluateAccuracy, type AccuracyReport } from '../../training/evaluate.ts';
import type { EpochRecord, NinTrainer as NinTrainerType, TrainingData } from '../../training/trainer.ts';
import type { GradientSource } from '../../training/gradient-source.ts';
import { trainingCurveSvg } from './curve.ts';
import { activateTrainingBackend } from './backend.ts';
import { DEFAULT_TEACHER_CACHE_DIR, teacherLogits } from './teacher-logits.ts';
import { createParallelGradients } from './parallel-gradients.ts';
import { readNinWeightsFile } from '../weights-file.ts';

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

export function fileStem(recipe: TrainingRecipe): string {
  return `nin-fmnist-${recipe.inputSize}`;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/**
 * `nin train`: brings the backend up, trains epoch by epoch with a checkpoint after each (and on SIGINT), tests on
 * the full test set, and writes the weights (with manifest), the JSON log and the curve after every epoch, so a
 * usable model exists as soon as the first epoch ends.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => performance.now());
  if (options.fitSchedule && options.maxMinutes === undefined)
    throw new RangeError('fitting the schedule to a time budget needs maxMinutes');
  const started = new Date();
  const t0 = now();
  const backend = await activateTrainingBackend(options.backend, log);
  const { NinTrainer } = await import('../../training/trainer.ts');

  const checkpointPath = resolve(options.checkpointDir, `${fileStem(options.recipe)}.ckpt.safetensors`);
  let trainer: NinTrainerType;
  if (options.resume) {
    if (!existsSync(checkpointPath)) throw new RangeError(`--resume: no checkpoint at ${checkpointPath}`);
    trainer = NinTrainer.fromCheckpoint(new Uint8Array(await readFile(checkpointPath)));
    const s = trainer.state;
    if (options.extendToEpochs !== undefined && options.extendToEpochs > trainer.recipe.epochs) {
      log(
        `extending the run from ${trainer.recipe.epochs} to ${options.extendToEpochs} epochs (schedule recomputed from global step ${s.globalStep})`,
      );
      trainer.extendTo(options.extendToEpochs);
    }
    log(
      `resuming from ${checkpointPath}: epoch ${s.completedEpochs + 1}, step ${s.current.step} (global step ${s.globalStep})`,
    );
    if (trainer.done) {
      const fit = currentFit(trainer.recipe);
      log(
        `the checkpoint's run is complete (${fit ? `its schedule was fitted to end at step ${fit.totalSteps}` : `all ${trainer.recipe.epochs} epochs`}): --epochs N with N > ${trainer.recipe.epochs} extends it`,
      );
    }
  } else {
    let recipe = options.recipe;
    if (options.distill) {
      const teacher = await readNinWeightsFile(options.distill.teacherPath);
      if (!teacher.manifest)
        throw new RangeError(
          `--teacher ${options.distill.teacherPath}: the teacher needs a manifest (input size, tensor hash)`,
        );
      recipe = {
        ...recipe,
        distill: {
          teacher: options.distill.teacherPath,
          teacherSha256: teacher.manifest.tensorsSha256,
          teacherInputSize: teacher.manifest.inputSize,
          weight: options.distill.weight,
          temperature: options.distill.temperature,
        },
      };
    }
    trainer = NinTrainer.create(recipe);
  }
  const recipe = trainer.recipe;
  const workers = options.workers ?? 1;
  if (workers > 1 && backend.name !== 'wasm' && backend.name !== 'cpu')
    throw new RangeError(
      `--workers ${workers}: parallel gradients are for the CPU backends (wasm, cpu), not ${formatBackend(backend)}`,
    );
  const [train, fullTest] = await Promise.all([
    loadFashionMnist('train', { dir: options.dataDir }),
    loadFashionMnist('test', { dir: options.dataDir }),
  ]);
  const testCount = options.testLimit ? Math.min(options.testLimit, fullTest.count) : fullTest.count;
  const test = {
    images: fullTest.images.subarray(0, testCount * 784),
    labels: fullTest.labels.subarray(0, testCount),
    count: testCount,
  };
  const trainCount = recipe.limit > 0 ? Math.min(recipe.limit, train.count) : train.count;
  const stepsPerEpoch = trainer.stepsPerEpoch(train.count);
  let trainData: TrainingData = train;
  if (recipe.distill) {
    const teacherPath = options.distill?.teacherPath ?? recipe.distill.teacher;
    const bar = options.progress
      ? new cliProgress.SingleBar(
          {
            format: `  teacher logits |{bar}| {value}/{total} images | ETA {eta_formatted}`,
            stream: process.stderr,
            noTTYOutput: true,
            notTTYSchedule: 30_000,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    let started = false;
    const logits = await teacherLogits({
      teacherPath,
      images: {
        images: train.images.subarray(0, trainCount * 784),
        labels: train.labels.subarray(0, trainCount),
        count: trainCount,
      },
      flipped: recipe.augment.flip,
      cacheDir: options.teacherCacheDir ?? DEFAULT_TEACHER_CACHE_DIR,
      log,
      onProgress: (done, total) => {
        if (!started) bar?.start(total, 0);
        started = true;
        bar?.update(done);
      },
    });
    bar?.stop();
    if (logits.teacherSha256 !== recipe.distill.teacherSha256)
      throw new RangeError(
        `teacher ${teacherPath} is not the run's teacher (tensors sha256 ${logits.teacherSha256.slice(0, 12)}, the recipe has ${recipe.distill.teacherSha256.slice(0, 12)})`,
      );
    trainData = { ...train, teacher: logits };
  }
  // WebGPU caps what one shader may bind: a batch whose largest activation exceeds it runs as micro-batches (only
  // the float summation order changes, so the recipe keeps its value and the provenance records the one used).
  // NIN_MAX_BINDING_BYTES lowers the limit, to rehearse the split on a small input.
  const reported = Number(backend.details.maxStorageBufferBindingSize ?? 0);
  const rehearse = Number(process.env.NIN_MAX_BINDING_BYTES ?? 0);
  const bindingLimit = rehearse > 0 ? (reported > 0 ? Math.min(reported, rehearse) : rehearse) : reported;
  const microBatch = effectiveMicroBatch(recipe.microBatch, recipe.batchSize, recipe.inputSize, bindingLimit);
  if (microBatch !== recipe.microBatch)
    log(
      `batch ${recipe.batchSize} runs as micro-batches of ${microBatch} (storage binding limit ${bindingLimit} bytes)`,
    );
  const evalBatch = microBatchFor(100, recipe.inputSize, bindingLimit);
  let gradients: GradientSource | undefined;
  if (workers > 1) {
    gradients = await createParallelGradients(workers, formatBackend(backend));
    log(`gradients: ${gradients.description}`);
  }
  log(
    `training NiN at ${recipe.inputSize} px on ${formatBackend(backend)} (${JSON.stringify(backend.details)}): ` +
      `${recipe.epochs} epochs x ${stepsPerEpoch} steps of ${recipe.batchSize} (${trainCount} images), ${recipe.optimizer} lr ${recipe.learningRate} ${recipe.schedule}` +
      `${recipe.warmupSteps ? ` warm-up ${recipe.warmupSteps}` : ''}, momentum ${recipe.momentum}, weight decay ${recipe.weightDecay} (${recipe.weightDecayScope}), init ${recipe.init}, seed ${recipe.seed}` +
      `${recipe.augment.shift || recipe.augment.flip ? `, augment shift ${recipe.augment.shift}${recipe.augment.flip ? ' + flip' : ''}` : ''}` +
      `${recipe.distill ? `, distil from ${recipe.distill.teacher} (weight ${recipe.distill.weight}, T ${recipe.distill.temperature})` : ''}` +
      `${microBatch ? `, micro-batch ${microBatch}` : ''}${recipe.clipNorm ? `, clip ${recipe.clipNorm}` : ''}${recipe.resize === 'device' ? ', resize on the device' : ''}, ${workers} thread${workers > 1 ? 's' : ''}`,
  );

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  const stem = fileStem(recipe);
  const weightsPath = resolve(options.outDir, `${stem}.safetensors`);
  const int8Path = resolve(options.outDir, `${stem}.int8.safetensors`);
  const deadline = options.maxMinutes !== undefined ? t0 + options.maxMinutes * 60_000 : Infinity;
  let stepsThisRun = 0;
  let status: TrainRunResult['status'] = 'finished';
  let lastEpochMs = 0;
  let wroteWeights = false;
  let wroteInt8 = false;

  const provenance = (extra: Record<string, unknown> = {}) => ({
    trainer: 'nin-bench `nin train` (tfjs)',
    backend: formatBackend(backend),
    backendDetails: backend.details,
    tfjs: tf.version_core,
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    gitCommit: gitCommit(),
    command: options.argv ? `nin train ${options.argv.join(' ')}` : undefined,
    gradientThreads: workers,
    // images per forward/backward pass (the whole batch when not split)
    microBatch: microBatch || recipe.batchSize,
    ...(bindingLimit > 0 ? { maxStorageBufferBindingSize: bindingLimit } : {}),
    started: started.toISOString(),
    ...extra,
  });

  // Epochs run, counting one a fitted schedule cut short as the part of it that ran.
  const epochsRun = () => +trainer.state.history.reduce((a, r) => a + (r.fraction ?? 1), 0).toFixed(4);
  const writeResults = async (final: Record<string, unknown> | null) => {
    const history = trainer.state.history;
    const logJson = {
      model: 'd2l-nin',
      dataset: 'Fashion-MNIST',
      recipe: trainer.recipe,
      recipeConstants: RECIPE_CONSTANTS,
      trainImages: trainCount,
      testImages: test.count,
      provenance: provenance({ updated: new Date().toISOString() }),
      epochs: history,
      final,
    };
    await writeFileAtomic(
      resolve(options.resultsDir, `training-${recipe.inputSize}.json`),
      JSON.stringify(logJson, null, 2) + '\n',
    );
    if (history.length > 0)
      await writeFileAtomic(
        resolve(options.resultsDir, `training-${recipe.inputSize}.svg`),
        await trainingCurveSvg(history, `NiN on Fashion-MNIST at ${recipe.inputSize} px, ${formatBackend(backend)}`),
      );
  };

  const description = (
    record: EpochRecord,
    accuracy: AccuracyReport,
    storage: WeightStorage,
    wallSeconds: number,
  ): ManifestDescription => {
    const trainSeconds = trainer.state.history.reduce((a, r) => a + r.trainSeconds, 0);
    const trainImages = epochsRun() * trainCount;
    return {
      inputSize: recipe.inputSize,
      recipe: { ...RECIPE_CONSTANTS, ...trainer.recipe, epochsRun: epochsRun(), trainImages: trainCount },
      accuracy: {
        test: accuracy.accuracy,
        train: record.trainAccuracy,
        perClass: accuracy.perClass,
        evaluatedOn: `Fashion-MNIST test set, ${accuracy.count === fullTest.count ? 'all ' : 'first '}${accuracy.count} images, inference mode (dropout off), preprocessing as \`nin eval\`${storage === 'int8' ? ', int8 weights dequantised' : ''}`,
      },
      provenance: provenance({
        finished: new Date().toISOString(),
        wallSeconds: Math.round(wallSeconds),
        trainSeconds: Math.round(trainSeconds),
        trainImagesPerSecond: +(trainImages / trainSeconds).toFixed(2),
        finalTrainLoss: record.trainLoss,
      }),
    };
  };

  const evaluate = async (label: string, params = trainer.params as ReadonlyMap<string, tf.Tensor>) => {
    const bar = options.progress
      ? new cliProgress.SingleBar(
          {
            format: `  ${label} |{bar}| {value}/{total} images | ETA {eta_formatted}`,
            stream: process.stderr,
            noTTYOutput: false,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    bar?.start(test.count, 0);
    try {
      return await evaluateAccuracy(params, test, recipe.inputSize, {
        batchSize: evalBatch,
        onProgress: (done) => bar?.update(done),
      });
    } finally {
      bar?.stop();
    }
  };

  /** The int8 copy, tested on its own (dequantised) weights so its manifest states its own accuracy. */
  const writeInt8 = async (record: EpochRecord) => {
    const stateDict: StateDict = await trainer.stateDict();
    const { stateDict: dequantised } = await decodeNinWeights(
      await encodeNinWeights(stateDict, 'int8', { inputSize: recipe.inputSize }),
    );
    const params = paramsFromStateDict(dequantised);
    try {
      const accuracy = await evaluate('test (int8)', params);
      await writeNinWeightsFile(
        int8Path,
        stateDict,
        'int8',
        description(record, accuracy, 'int8', (now() - t0) / 1000),
      );
      log(`  wrote ${int8Path} (int8 test accuracy ${accuracy.accuracy.toFixed(4)})`);
    } finally {
      disposeParams(params);
    }
  };

  // --fit-schedule: the seconds from one step's end to the next's, so batch preparation and progress output count
  // too; this invocation's first steps are skipped, and so is the first step of each epoch (after a test pass).
  const fitTiming = options.fitTiming ?? { skip: FIT_SKIPPED_STEPS, timed: FIT_TIMED_STEPS };
  const timed: number[] = [];
  let lastStepEnd: number | null = null;
  const fitNow = () => {
    const stepSeconds = timed.reduce((a, b) => a + b, 0) / timed.length;
    // One test pass (forward only, about a third of a step per image; twice with the int8 copy) and the writes.
    const epochEndSeconds = (test.count / recipe.batchSize) * (stepSeconds / 3) * (options.int8 ? 2 : 1) + 2;
    const remainingSeconds = (deadline - now()) / 1000;
    const { totalSteps, reservedSeconds } = fitScheduleSteps({
      globalStep: trainer.state.globalStep,
      stepInEpoch: trainer.state.current.step,
      stepsPerEpoch,
      plannedSteps: stepsPerEpoch * trainer.recipe.epochs,
      stepSeconds,
      remainingSeconds,
      epochEndSeconds,
      testEveryEpoch: options.testEveryEpoch,
    });
    trainer.fitSchedule({
      totalSteps,
      stepSeconds: +stepSeconds.toFixed(4),
      remainingSeconds: +remainingSeconds.toFixed(1),
      reservedSeconds: +reservedSeconds.toFixed(1),
    });
    log(
      `\n--fit-schedule: ${stepSeconds.toFixed(3)} s per step, ${Math.round(remainingSeconds)} s left (${Math.round(reservedSeconds)} s of it for test passes and writes): the schedule ends at step ${totalSteps} (${(totalSteps / stepsPerEpoch).toFixed(2)} epochs) of ${stepsPerEpoch * trainer.recipe.epochs} planned`,
    );
  };

  try {
    while (!trainer.done) {
      const epochStart = now();
      // A fitted schedule already left room for every epoch end it crosses.
      if (
        trainer.state.current.step === 0 &&
        lastEpochMs > 0 &&
        epochStart + lastEpochMs > deadline &&
        !currentFit(trainer.recipe)
      ) {
        log(
          `--max-minutes ${options.maxMinutes}: the next epoch (~${Math.round(lastEpochMs / 60000)} min) would overrun; stopping after epoch ${trainer.state.completedEpochs}`,
        );
        status = 'stopped';
        break;
      }
      const epoch = trainer.state.completedEpochs + 1;
      const bar = options.progress
        ? new cliProgress.SingleBar(
            {
              format: `epoch ${epoch}/${recipe.epochs} |{bar}| {value}/{total} steps | loss {loss} | acc {acc} | {ips} img/s | lr {lr} | ETA {eta_formatted}`,
              stream: process.stderr,
              etaBuffer: 20,
              noTTYOutput: true,
              notTTYSchedule: 30_000,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
      bar?.start(stepsPerEpoch, trainer.state.current.step, { loss: '-', acc: '-', ips: '-', lr: '-' });
      lastStepEnd = null;
      const { finished } = await trainer.trainEpoch(trainData, {
        gradients,
        microBatch,
        now,
        shouldStop: () => {
          if (interrupted) return true;
          if (options.stopAfterSteps !== undefined && stepsThisRun >= options.stopAfterSteps) return true;
          return now() > deadline;
        },
        onStep: (e) => {
          stepsThisRun++;
          if (options.fitSchedule && timed.length < fitTiming.timed) {
            const end = now();
            if (lastStepEnd !== null && stepsThisRun > fitTiming.skip) timed.push((end - lastStepEnd) / 1000);
            lastStepEnd = end;
            if (timed.length === fitTiming.timed) fitNow();
          }
          bar?.update(e.step, {
            loss: e.epochLoss.toFixed(4),
            acc: e.epochAccuracy.toFixed(4),
            ips: (e.batchSize / e.seconds).toFixed(1),
            lr: e.learningRate.toPrecision(3),
          });
        },
      });
      bar?.stop();
      if (!finished) {
        await writeFileAtomic(checkpointPath, await trainer.checkpoint());
        status = interrupted ? 'interrupted' : 'stopped';
        log(
          `stopped in epoch ${epoch} at step ${trainer.state.current.step}/${stepsPerEpoch}; checkpoint ${checkpointPath} (continue with --resume)`,
        );
        break;
      }
      // The last epoch is always tested: the planned one, or the one a fitted schedule ends in.
      const testNow =
        options.testEveryEpoch ||
        epoch >= trainer.recipe.epochs ||
        trainer.state.globalStep >= trainer.endStep(train.count);
      const accuracy = testNow ? await evaluate(`test after epoch ${epoch}`) : null;
      const record = trainer.finishEpoch(accuracy, train.count);
      await writeFileAtomic(checkpointPath, await trainer.checkpoint());
      log(
        `epoch ${record.fraction !== undefined ? `${record.epoch.toFixed(2)} (the fitted schedule's end)` : record.epoch}: train loss ${record.trainLoss.toFixed(4)}, train acc ${record.trainAccuracy.toFixed(4)}, ` +
          `test acc ${record.testAccuracy === null ? 'n/a' : record.testAccuracy.toFixed(4)}, ${record.imagesPerSecond.toFixed(1)} img/s, ${Math.round(record.trainSeconds)} s`,
      );
      if (accuracy) {
        await writeNinWeightsFile(
          weightsPath,
          await trainer.stateDict(),
          'float32',
          description(record, accuracy, 'float32', (now() - t0) / 1000),
        );
        wroteWeights = true;
        log(`  wrote ${weightsPath}`);
        if (options.int8) {
          await writeInt8(record);
          wroteInt8 = true;
        }
      }
      await writeResults(null);
      lastEpochMs = now() - epochStart;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await gradients?.dispose();
  }

  if (options.fitSchedule && timed.length < fitTiming.timed)
    log(
      `--fit-schedule: the run ended before ${fitTiming.skip + fitTiming.timed} steps could be timed; the schedule kept its planned horizon`,
    );
  const lastRecord = trainer.state.history.at(-1);
  if (lastRecord) {
    await writeResults({
      status,
      epochsRun: epochsRun(),
      testAccuracy: lastRecord.testAccuracy,
      wallSeconds: Math.round((now() - t0) / 1000),
      weights: wroteWeights ? basename(weightsPath) : null,
      int8Weights: wroteInt8 ? basename(int8Path) : null,
    });
  }
  const result: TrainRunResult = {
    status,
    history: trainer.state.history,
    weightsPath: wroteWeights ? weightsPath : null,
    int8Path: wroteInt8 ? int8Path : null,
    checkpointPath,
    backend,
  };
  trainer.dispose();
  return result;
}
