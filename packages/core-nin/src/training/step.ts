import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES } from '../model/architecture.ts';
import { ninForward } from '../model/nin.ts';
import type { SgdOptimizer } from './sgd.ts';

/** Trainable NiN parameters by state_dict name (HWIO conv weights), as tfjs variables. */
export type TrainableParams = ReadonlyMap<string, tf.Variable>;

export interface StepInput {
  /** preprocessed images, NHWC `[n, size, size, 1]` in [0,1] */
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly inputSize: number;
}

export interface StepResult {
  /** mean softmax cross-entropy of the batch, before the update */
  readonly loss: number;
  /** images of the batch classified right (dropout on), before the update */
  readonly correct: number;
}

/** Mean softmax cross-entropy of logits `[n, 10]` against integer labels. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits) as tf.Scalar);
}

/**
 * One SGD step on one batch: forward in training mode (dropout with `dropoutSeed`), loss, gradients of every
 * parameter, update. Every tensor it makes is released; needs the gradients registered (see gradients.ts).
 */
export async function trainStep(params: TrainableParams, optimizer: SgdOptimizer, batch: StepInput, learningRate: number, dropoutSeed: number): Promise<StepResult> {
  const { images, labels, count: n, inputSize: s } = batch;
  if (images.length !== n * s * s) throw new RangeError(`expected ${n}x${s}x${s} input values, got ${images.length}`);
  const names = [...params.keys()];
  const vars = names.map((k) => params.get(k)!);
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor4d(images, [n, s, s, 1]);
    const y = tf.tensor1d(Array.from(labels), 'int32');
    return tf.variableGrads(() => {
      const logits = ninForward(params, x, { training: true, dropoutSeed });
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
      return softmaxCrossEntropy(logits, y);
    }, vars);
  });
  const byName = new Map(names.map((k, i) => [k, grads[vars[i].name]]));
  try {
    optimizer.apply(params, byName, learningRate);
    const [loss, right] = await Promise.all([value.data(), correct!.data()]);
    return { loss: loss[0], correct: right[0] };
  } finally {
    value.dispose();
    correct?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
