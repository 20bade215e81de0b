import { currentFit } from '../../training/recipe.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { evaluateOnTest } from './evaluate-step.ts';
import { progressBar } from './progress-bar.ts';
import { writeTrainingLog } from './run-records.ts';
import type { ScheduleFitter } from './schedule-fitter.ts';
import type { RunProgress, TrainingSession } from './session.ts';
import { writeEpochWeights } from './write-weights.ts';

/**
 * With --max-minutes: whether an epoch starting at `epochStart` would end past the deadline, judged by the last
 * one's length (`lastEpochMs`, 0 before any); says so when it would. A fitted schedule already left room for every
 * epoch end it crosses.
 */
export function nextEpochWouldOverrun(session: TrainingSession, lastEpochMs: number, epochStart: number): boolean {
  const { trainer } = session;
  const overruns =
    trainer.state.current.step === 0 &&
    lastEpochMs > 0 &&
    epochStart + lastEpochMs > session.deadline &&
    !currentFit(trainer.recipe);
  if (overruns)
    session.log(
      `--max-minutes ${session.options.maxMinutes}: the next epoch (~${Math.round(lastEpochMs / 60000)} min) would overrun; ` +
        `stopping after epoch ${trainer.state.completedEpochs}`,
    );
  return overruns;
}

/**
 * Trains the rest of epoch `epoch` (from the trainer's current step), with a progress bar; false when it stopped
 * before the epoch's end (interrupt, stopAfterSteps, the deadline).
 */
export async function trainOneEpoch(
  session: TrainingSession,
  progress: RunProgress,
  fitter: ScheduleFitter,
  epoch: number,
): Promise<boolean> {
  const { options, trainer, recipe, data, now } = session;
  const bar = progressBar(options.progress, {
    format: `epoch ${epoch}/${recipe.epochs} |{bar}| {value}/{total} steps | loss {loss} | acc {acc} | {ips} img/s | lr {lr} | ETA {eta_formatted}`,
    etaBuffer: 20,
    noTTYOutput: true,
    notTTYSchedule: 30_000,
  });
  bar?.start(data.stepsPerEpoch, trainer.state.current.step, { loss: '-', acc: '-', ips: '-', lr: '-' });
  fitter.epochStarted();
  const { finished } = await trainer.trainEpoch(data.trainData, {
    gradients: session.gradients,
    microBatch: session.batches.microBatch,
    now,
    shouldStop: () => {
      if (progress.interrupted) return true;
      if (options.stopAfterSteps !== undefined && progress.stepsThisRun >= options.stopAfterSteps) return true;
      return now() > session.deadline;
    },
    onStep: (e) => {
      progress.stepsThisRun++;
      fitter.stepEnded(progress.stepsThisRun);
      bar?.update(e.step, {
        loss: e.epochLoss.toFixed(4),
        acc: e.epochAccuracy.toFixed(4),
        ips: (e.batchSize / e.seconds).toFixed(1),
        lr: e.learningRate.toPrecision(3),
      });
    },
  });
  bar?.stop();
  return finished;
}

/**
 * After a finished epoch: tests it (every epoch, or only the last: the planned one or the one a fitted schedule
 * ends in), records it, checkpoints, and writes the weights (when tested) and the log.
 */
export async function endEpoch(session: TrainingSession, progress: RunProgress, epoch: number): Promise<void> {
  const { options, trainer, data, paths, log } = session;
  const testNow =
    options.testEveryEpoch ||
    epoch >= trainer.recipe.epochs ||
    trainer.state.globalStep >= trainer.endStep(data.train.count);
  const accuracy = testNow ? await evaluateOnTest(session, `test after epoch ${epoch}`) : null;
  const record = trainer.finishEpoch(accuracy, data.train.count);
  await writeFileAtomic(paths.checkpoint, await trainer.checkpoint());
  const ended = record.fraction !== undefined ? `${record.epoch.toFixed(2)} (the fitted schedule's end)` : record.epoch;
  const testAccuracy = record.testAccuracy === null ? 'n/a' : record.testAccuracy.toFixed(4);
  log(
    `epoch ${ended}: train loss ${record.trainLoss.toFixed(4)}, train acc ${record.trainAccuracy.toFixed(4)}, ` +
      `test acc ${testAccuracy}, ${record.imagesPerSecond.toFixed(1)} img/s, ${Math.round(record.trainSeconds)} s`,
  );
  if (accuracy) await writeEpochWeights(session, progress, record, accuracy);
  await writeTrainingLog(session, null);
}
