import { layerShapes } from '../model/architecture.ts';

/** Bytes of the largest activation one image makes at this input size (float32). */
export function largestActivationBytes(size: number): number {
  return Math.max(...layerShapes(size).map((l) => l.outSize * l.outSize * l.outChannels * 4));
}

/**
 * The largest part of `batch` (halving) whose largest activation fits one storage-buffer binding: WebGPU caps a
 * binding (Dawn on lavapipe: 128 MiB, less than NiN-224's first activation at batch 128), so a larger batch is
 * run as micro-batches whose gradients are summed before the update. 0 (no limit reported): the whole batch.
 */
export function microBatchFor(batch: number, size: number, maxBindingBytes: number): number {
  if (!(maxBindingBytes > 0)) return batch;
  let m = batch;
  while (m > 1 && m * largestActivationBytes(size) > maxBindingBytes) m = Math.ceil(m / 2);
  return m;
}

/**
 * The micro-batch a step actually runs with: the recipe's (0: the whole batch), made smaller where the backend's
 * binding limit needs it. Only the float summation order depends on it, never what the step computes.
 */
export function effectiveMicroBatch(
  recipeMicroBatch: number,
  batch: number,
  size: number,
  maxBindingBytes: number,
): number {
  const fits = microBatchFor(batch, size, maxBindingBytes);
  return recipeMicroBatch > 0 && recipeMicroBatch <= fits ? recipeMicroBatch : fits < batch ? fits : recipeMicroBatch;
}
