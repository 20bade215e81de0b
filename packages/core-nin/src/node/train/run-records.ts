import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackend } from '../../backends/registry.ts';
import type { AccuracyReport } from '../../training/evaluate.ts';
import { RECIPE_CONSTANTS } from '../../training/recipe.ts';
import type { EpochRecord } from '../../training/trainer.ts';
import type { ManifestDescription, WeightStorage } from '../../weights/manifest.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { trainingCurveSvg } from './curve.ts';
import type { TrainingSession } from './session.ts';

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Where, how and from what command the run trained: the provenance of its log and of every manifest. */
export function provenance(session: TrainingSession, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { options, backend, recipe, batches } = session;
  return {
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
    gradientThreads: session.workers,
    // images per forward/backward pass (the whole batch when not split)
    microBatch: batches.microBatch || recipe.batchSize,
    ...(batches.bindingLimit > 0 ? { maxStorageBufferBindingSize: batches.bindingLimit } : {}),
    started: session.started.toISOString(),
    ...extra,
  };
}

/** Epochs run, counting one a fitted schedule cut short as the part of it that ran. */
export function epochsRun(session: TrainingSession): number {
  return +session.trainer.state.history.reduce((a, r) => a + (r.fraction ?? 1), 0).toFixed(4);
}

/** The JSON epoch log (training-<size>.json) and, once an epoch has ended, the curve (training-<size>.svg). */
export async function writeTrainingLog(session: TrainingSession, final: Record<string, unknown> | null): Promise<void> {
  const { options, trainer, recipe, backend } = session;
  const history = trainer.state.history;
  const logJson = {
    model: 'd2l-nin',
    dataset: 'Fashion-MNIST',
    recipe: trainer.recipe,
    recipeConstants: RECIPE_CONSTANTS,
    trainImages: session.data.trainCount,
    testImages: session.data.test.count,
    provenance: provenance(session, { updated: new Date().toISOString() }),
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
}

/** A weights file's manifest: the recipe, the accuracy `accuracy` measured on those weights, and the provenance. */
export function weightsDescription(
  session: TrainingSession,
  record: EpochRecord,
  accuracy: AccuracyReport,
  storage: WeightStorage,
): ManifestDescription {
  const { trainer, recipe, data } = session;
  const wallSeconds = (session.now() - session.t0) / 1000;
  const trainSeconds = trainer.state.history.reduce((a, r) => a + r.trainSeconds, 0);
  const trainImages = epochsRun(session) * data.trainCount;
  return {
    inputSize: recipe.inputSize,
    recipe: { ...RECIPE_CONSTANTS, ...trainer.recipe, epochsRun: epochsRun(session), trainImages: data.trainCount },
    accuracy: {
      test: accuracy.accuracy,
      train: record.trainAccuracy,
      perClass: accuracy.perClass,
      evaluatedOn:
        `Fashion-MNIST test set, ${accuracy.count === data.fullTestCount ? 'all ' : 'first '}${accuracy.count} images, ` +
        `inference mode (dropout off), preprocessing as \`nin eval\`${storage === 'int8' ? ', int8 weights dequantised' : ''}`,
    },
    provenance: provenance(session, {
      finished: new Date().toISOString(),
      wallSeconds: Math.round(wallSeconds),
      trainSeconds: Math.round(trainSeconds),
      trainImagesPerSecond: +(trainImages / trainSeconds).toFixed(2),
      finalTrainLoss: record.trainLoss,
    }),
  };
}
