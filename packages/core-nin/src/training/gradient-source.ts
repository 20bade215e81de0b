import type * as tf from '@tensorflow/tfjs-core';
import {
  accumulateGradients,
  inputSide,
  sliceGradients,
  type SliceContext,
  type SliceGradients,
  type StepInput,
  type TrainableParams,
} from './step.ts';

/** What the whole batch's gradient needs besides the batch: the seeds and the loss, the same for every slice. */
export type BatchContext = Omit<SliceContext, 'batchCount' | 'firstIndex'>;

/**
 * Where a batch's gradient is computed. The trainer owns the parameters and the optimiser; a source only turns
 * (parameters, batch) into the batch's summed gradient, here in this thread or split across worker threads.
 */
export interface GradientSource {
  readonly description: string;
  compute(
    params: TrainableParams,
    batch: StepInput,
    context: BatchContext,
    microBatch: number,
  ): Promise<SliceGradients>;
  dispose(): Promise<void>;
}

/** The images `[start, end)` of a batch as a slice of its own. */
export function sliceOf(batch: StepInput, start: number, end: number): StepInput {
  const px = inputSide(batch) ** 2;
  return {
    images: batch.images.subarray(start * px, end * px),
    labels: Array.prototype.slice.call(batch.labels, start, end) as number[],
    count: end - start,
    inputSize: batch.inputSize,
    teacherLogits: batch.teacherLogits ? batch.teacherLogits.subarray(start * 10, end * 10) : null,
    resizeOnDevice: batch.resizeOnDevice,
  };
}

/**
 * One batch's gradient summed from its parts: `addParts` hands each part (a slice's gradients, loss and correct
 * count) to `add`, which takes ownership of its tensors. On a failure every gradient summed so far is released.
 */
export async function sumGradients(
  addParts: (add: (part: SliceGradients) => void) => Promise<void>,
): Promise<SliceGradients> {
  const grads = new Map<string, tf.Tensor>();
  let lossSum = 0;
  let correct = 0;
  try {
    await addParts((part) => {
      accumulateGradients(grads, part.grads);
      lossSum += part.lossSum;
      correct += part.correct;
    });
  } catch (e) {
    for (const g of grads.values()) g.dispose();
    throw e;
  }
  return { grads, lossSum, correct };
}

/**
 * The images `[start, end)` of a batch of `batchCount`, `microBatch` at a time (0: at once), summed: gradient
 * accumulation, so a batch that does not fit in memory in one pass trains exactly as if it did. `indexOffset` is
 * the position of `batch`'s first image in the whole batch, when `batch` is itself a slice (a worker's share).
 */
export async function rangeGradients(
  params: TrainableParams,
  batch: StepInput,
  start: number,
  end: number,
  batchCount: number,
  context: BatchContext,
  microBatch: number,
  indexOffset = 0,
): Promise<SliceGradients> {
  const chunk = microBatch > 0 ? microBatch : end - start;
  return sumGradients(async (add) => {
    for (let s = start; s < end; s += chunk) {
      const e = Math.min(end, s + chunk);
      add(await sliceGradients(params, sliceOf(batch, s, e), { ...context, batchCount, firstIndex: indexOffset + s }));
    }
  });
}

/** Computes every batch here, on the active backend. */
export const localGradients: GradientSource = {
  description: 'this thread',
  compute: (params, batch, context, microBatch) =>
    rangeGradients(params, batch, 0, batch.count, batch.count, context, microBatch),
  dispose: async () => {},
};
