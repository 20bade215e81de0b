import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES } from '../model/architecture.ts';
import { ninForward, type NinParams } from '../model/nin.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import type { LabelledImages } from '../data/idx.ts';

export interface AccuracyReport {
  readonly accuracy: number;
  readonly correct: number;
  readonly count: number;
  /** accuracy of each class, in class order */
  readonly perClass: number[];
}

/**
 * Accuracy in inference mode (dropout off) over every image of `data`, preprocessed exactly as for prediction
 * (`preprocessImages`): the figure `nin eval` re-measures from the saved weights.
 */
export async function evaluateAccuracy(
  params: NinParams,
  data: LabelledImages,
  inputSize: number,
  options: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<AccuracyReport> {
  const batchSize = options.batchSize ?? 100;
  const hits = new Array<number>(NUM_CLASSES).fill(0);
  const totals = new Array<number>(NUM_CLASSES).fill(0);
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const input = preprocessImages(
      data.images.subarray(start * FASHION_MNIST_PIXELS, (start + n) * FASHION_MNIST_PIXELS),
      inputSize,
    );
    const predicted = tf.tidy(() => tf.argMax(ninForward(params, tf.tensor4d(input, [n, inputSize, inputSize, 1])), 1));
    const classes = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < n; i++) {
      const label = data.labels[start + i];
      totals[label]++;
      if (classes[i] === label) hits[label]++;
    }
    options.onProgress?.(start + n, data.count);
  }
  const correct = hits.reduce((a, b) => a + b, 0);
  return {
    accuracy: correct / data.count,
    correct,
    count: data.count,
    perClass: hits.map((h, c) => (totals[c] ? h / totals[c] : 0)),
  };
}
