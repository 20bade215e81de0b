import { basename, resolve } from 'node:path';
import { formatBackend } from '../../backends/registry.ts';
import type { TrainingRecipe } from '../../training/recipe.ts';
import { weightFileName, weightFileStem } from '../../weights/file-name.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { activateTrainingBackend } from './backend.ts';
import { endEpoch, nextEpochWouldOverrun, trainOneEpoch } from './epoch.ts';
import type { TrainRunOptions, TrainRunResult } from './options.ts';
import { createParallelGradients } from './parallel-gradients.ts';
import { planBatches, prepareData } from './prepare-data.ts';
import { epochsRun, writeTrainingLog } from './run-records.ts';
import { createScheduleFitter } from './schedule-fitter.ts';
import type { RunProgress, TrainingSession } from './session.ts';
import { startTrainer } from './start-state.ts';

export type { TrainRunOptions, TrainRunResult } from './options.ts';

/** `nin-fmnist-<size>`: the stem of every file `nin train` writes for `recipe` (see weightFileName). */
export function fileStem(recipe: TrainingRecipe): string {
  return weightFileStem(recipe.inputSize);
}

/**
 * `nin train`: brings the backend up, trains epoch by epoch with a checkpoint after each (and on SIGINT), tests on
 * the full test set, and writes the weights (with manifest), the JSON log and the curve after every epoch, so a
 * usable model exists as soon as the first epoch ends. The steps: build or resume the trainer, prepare the data,
 * then per epoch train it, test it and write the weights.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const session = await startSession(options);
  const { trainer, paths, log, now } = session;
  const progress: RunProgress = { stepsThisRun: 0, interrupted: false, wroteWeights: false, wroteInt8: false };
  const fitter = createScheduleFitter(session);
  const onSigint = () => {
    if (progress.interrupted) process.exit(130);
    progress.interrupted = true;
    log('\ninterrupt: finishing the current step and writing a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  let status: TrainRunResult['status'] = 'finished';
  let lastEpochMs = 0;
  try {
    while (!trainer.done) {
      const epochStart = now();
      if (nextEpochWouldOverrun(session, lastEpochMs, epochStart)) {
        status = 'stopped';
        break;
      }
      const epoch = trainer.state.completedEpochs + 1;
      if (!(await trainOneEpoch(session, progress, fitter, epoch))) {
        await writeFileAtomic(paths.checkpoint, await trainer.checkpoint());
        status = progress.interrupted ? 'interrupted' : 'stopped';
        log(
          `stopped in epoch ${epoch} at step ${trainer.state.current.step}/${session.data.stepsPerEpoch}; ` +
            `checkpoint ${paths.checkpoint} (continue with --resume)`,
        );
        break;
      }
      await endEpoch(session, progress, epoch);
      lastEpochMs = now() - epochStart;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await session.gradients?.dispose();
  }

  fitter.runEnded();
  const lastRecord = trainer.state.history.at(-1);
  if (lastRecord) {
    await writeTrainingLog(session, {
      status,
      epochsRun: epochsRun(session),
      testAccuracy: lastRecord.testAccuracy,
      wallSeconds: Math.round((now() - session.t0) / 1000),
      weights: progress.wroteWeights ? basename(paths.weights) : null,
      int8Weights: progress.wroteInt8 ? basename(paths.int8) : null,
    });
  }
  const result: TrainRunResult = {
    status,
    history: trainer.state.history,
    weightsPath: progress.wroteWeights ? paths.weights : null,
    int8Path: progress.wroteInt8 ? paths.int8 : null,
    checkpointPath: paths.checkpoint,
    backend: session.backend,
  };
  trainer.dispose();
  return result;
}

/** Sets a run up: the backend, the trainer (fresh or resumed), the data, the batch sizes, the gradient threads. */
async function startSession(options: TrainRunOptions): Promise<TrainingSession> {
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => performance.now());
  if (options.fitSchedule && options.maxMinutes === undefined)
    throw new RangeError('fitting the schedule to a time budget needs maxMinutes');
  const started = new Date();
  const t0 = now();
  const backend = await activateTrainingBackend(options.backend, log);
  const checkpoint = resolve(options.checkpointDir, weightFileName(options.recipe.inputSize, 'checkpoint'));
  const trainer = await startTrainer(options, checkpoint, log);
  const recipe = trainer.recipe;
  const workers = options.workers ?? 1;
  if (workers > 1 && backend.name !== 'wasm' && backend.name !== 'cpu')
    throw new RangeError(
      `--workers ${workers}: parallel gradients are for the CPU backends (wasm, cpu), not ${formatBackend(backend)}`,
    );
  const data = await prepareData(options, trainer, log);
  const batches = planBatches(backend, recipe, log);
  const gradients = workers > 1 ? await createParallelGradients(workers, formatBackend(backend)) : undefined;
  if (gradients) log(`gradients: ${gradients.description}`);
  const { microBatch } = batches;
  log(
    `training NiN at ${recipe.inputSize} px on ${formatBackend(backend)} (${JSON.stringify(backend.details)}): ` +
      `${recipe.epochs} epochs x ${data.stepsPerEpoch} steps of ${recipe.batchSize} (${data.trainCount} images), ` +
      `${recipe.optimizer} lr ${recipe.learningRate} ${recipe.schedule}` +
      `${recipe.warmupSteps ? ` warm-up ${recipe.warmupSteps}` : ''}, momentum ${recipe.momentum}, ` +
      `weight decay ${recipe.weightDecay} (${recipe.weightDecayScope}), init ${recipe.init}, seed ${recipe.seed}` +
      `${recipe.augment.shift || recipe.augment.flip ? `, augment shift ${recipe.augment.shift}${recipe.augment.flip ? ' + flip' : ''}` : ''}` +
      `${recipe.distill ? `, distil from ${recipe.distill.teacher} (weight ${recipe.distill.weight}, T ${recipe.distill.temperature})` : ''}` +
      `${microBatch ? `, micro-batch ${microBatch}` : ''}${recipe.clipNorm ? `, clip ${recipe.clipNorm}` : ''}` +
      `${recipe.resize === 'device' ? ', resize on the device' : ''}, ${workers} thread${workers > 1 ? 's' : ''}`,
  );
  const paths = {
    checkpoint,
    weights: resolve(options.outDir, weightFileName(recipe.inputSize)),
    int8: resolve(options.outDir, weightFileName(recipe.inputSize, 'int8')),
  };
  const deadline = options.maxMinutes !== undefined ? t0 + options.maxMinutes * 60_000 : Infinity;
  return {
    options,
    log,
    now,
    started,
    t0,
    deadline,
    backend,
    trainer,
    recipe,
    workers,
    data,
    batches,
    gradients,
    paths,
  };
}
