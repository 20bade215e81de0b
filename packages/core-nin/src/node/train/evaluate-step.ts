import type * as tf from '@tensorflow/tfjs-core';
import { evaluateAccuracy, type AccuracyReport } from '../../training/evaluate.ts';
import { progressBar } from './progress-bar.ts';
import type { TrainingSession } from './session.ts';

/** Test accuracy of `params` (default: the trainer's) on the run's test images, with a progress bar named `label`. */
export async function evaluateOnTest(
  session: TrainingSession,
  label: string,
  params = session.trainer.params as ReadonlyMap<string, tf.Tensor>,
): Promise<AccuracyReport> {
  const { test } = session.data;
  const bar = progressBar(session.options.progress, {
    format: `  ${label} |{bar}| {value}/{total} images | ETA {eta_formatted}`,
    noTTYOutput: false,
  });
  bar?.start(test.count, 0);
  try {
    return await evaluateAccuracy(params, test, session.recipe.inputSize, {
      batchSize: session.batches.evalBatch,
      onProgress: (done) => bar?.update(done),
    });
  } finally {
    bar?.stop();
  }
}
