import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES } from '../model/architecture.ts';
import { ninForward, seededRandom } from '../model/nin.ts';
import type { NinOptimizer } from './optimizer.ts';
import { FASHION_MNIST_SIDE } from '../data/preprocess.ts';

/** Trainable NiN parameters by state_dict name (HWIO conv weights), as tfjs variables. */
export type TrainableParams = ReadonlyMap<string, tf.Variable>;

/** One training batch, or a slice of one, ready for the model. */
export interface StepInput {
  /** preprocessed images, NHWC `[n, size, size, 1]` in [0,1]; with `resizeOnDevice`, `[n, 28, 28, 1]` */
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly inputSize: number;
  /** the teacher's logits `[n, 10]` for these images (distillation only) */
  readonly teacherLogits?: Float32Array | null;
  /** the images are the 28x28 ones (/255), resized to `inputSize` on the backend (recipe.resize `device`) */
  readonly resizeOnDevice?: boolean;
}

/** The side of the images a step input carries: the input size, or 28 when they are resized on the device. */
export function inputSide(input: Pick<StepInput, 'inputSize' | 'resizeOnDevice'>): number {
  return input.resizeOnDevice ? FASHION_MNIST_SIDE : input.inputSize;
}

/**
 * The model's input `[n, size, size, 1]` from a step input. On the device: bilinear with half-pixel centres, the
 * interpolation PIL's resize uses, without PIL's rounding of each pixel to a byte (so within half a grey level).
 */
export function modelInput(input: Pick<StepInput, 'images' | 'count' | 'inputSize' | 'resizeOnDevice'>): tf.Tensor4D {
  const side = inputSide(input);
  return tf.tidy(() => {
    const x = tf.tensor4d(input.images, [input.count, side, side, 1]);
    return side === input.inputSize ? x : tf.image.resizeBilinear(x, [input.inputSize, input.inputSize], false, true);
  });
}

/** How a slice's gradients are computed: what makes the slices of one batch add up to the whole batch's step. */
export interface SliceContext {
  /** images in the whole batch: every slice's loss is a sum over its images divided by this */
  readonly batchCount: number;
  /** position of the slice's first image in the batch (its images' dropout masks are drawn by position) */
  readonly firstIndex: number;
  readonly dropoutSeed: number;
  readonly distill: { readonly weight: number; readonly temperature: number } | null;
}

export interface StepResult {
  /** mean loss of the batch, before the update */
  readonly loss: number;
  /** images of the batch classified right (dropout on), before the update */
  readonly correct: number;
}

/** Gradients of a slice (summed into the batch mean, see {@link SliceContext}), with its loss sum and hits. */
export interface SliceGradients {
  readonly grads: Map<string, tf.Tensor>;
  readonly lossSum: number;
  readonly correct: number;
}

/** Mean softmax cross-entropy of logits `[n, 10]` against integer labels. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(perImageLoss(logits, labels, null, null)) as tf.Scalar);
}

/**
 * The loss of each image `[n]`: cross-entropy with the label, or with a teacher `(1 - w) * CE + w * T^2 *
 * KL(softmax(teacher / T) || softmax(student / T))` (the T^2 keeps the soft term's gradient scale independent of T).
 */
export function perImageLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  teacher: tf.Tensor2D | null,
  distill: SliceContext['distill'],
): tf.Tensor1D {
  return tf.tidy(() => {
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, NUM_CLASSES), tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
    if (!teacher || !distill || distill.weight === 0) return ce;
    const t = distill.temperature;
    const teacherLog = tf.logSoftmax(tf.div(teacher, t));
    const kl = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, tf.logSoftmax(tf.div(logits, t)))), 1);
    return tf.add(tf.mul(ce, 1 - distill.weight), tf.mul(kl, distill.weight * t * t)) as tf.Tensor1D;
  });
}

/** The dropout mask of images `firstIndex ..` of a batch: each image's from its own seeded stream. */
export function perImageDropoutMask(
  dropoutSeed: number,
  firstIndex: number,
): (shape: readonly number[], rate: number) => Float32Array {
  return (shape, rate) => {
    const [n] = shape;
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const keep = 1 / (1 - rate);
    const out = new Float32Array(n * per);
    for (let i = 0; i < n; i++) {
      const random = seededRandom(
        Math.imul(dropoutSeed ^ 0x68e31da4, 0x85ebca6b) ^ Math.imul(firstIndex + i + 1, 0xc2b2ae35),
      );
      for (let k = i * per; k < (i + 1) * per; k++) out[k] = random() < rate ? 0 : keep;
    }
    return out;
  };
}

/**
 * Gradients of one slice of a batch: forward in training mode, per-image loss summed and divided by the batch's
 * image count, gradients of every parameter. Slices of one batch add up to the whole batch's gradient exactly (up
 * to float summation order), which is what micro-batches and worker threads rely on. Needs the gradients
 * registered (see gradients.ts); every tensor made here is released except the returned gradients.
 */
export async function sliceGradients(
  params: TrainableParams,
  slice: StepInput,
  context: SliceContext,
): Promise<SliceGradients> {
  const { images, labels, count: n } = slice;
  const s = inputSide(slice);
  if (images.length !== n * s * s) throw new RangeError(`expected ${n}x${s}x${s} input values, got ${images.length}`);
  if (context.distill && (!slice.teacherLogits || slice.teacherLogits.length !== n * NUM_CLASSES))
    throw new RangeError(`distillation needs ${n}x${NUM_CLASSES} teacher logits`);
  const names = [...params.keys()];
  const vars = names.map((k) => params.get(k)!);
  let correct: tf.Scalar | undefined;
  let lossSum: tf.Scalar | undefined;
  const { grads, value } = tf.tidy(() => {
    const x = modelInput(slice);
    const y = tf.tensor1d(Array.from(labels), 'int32');
    const teacher = context.distill ? tf.tensor2d(slice.teacherLogits!, [n, NUM_CLASSES]) : null;
    return tf.variableGrads(() => {
      const logits = ninForward(params, x, {
        training: true,
        dropoutMask: perImageDropoutMask(context.dropoutSeed, context.firstIndex),
      });
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')) as tf.Scalar);
      const sum = tf.sum(perImageLoss(logits, y, teacher, context.distill)) as tf.Scalar;
      lossSum = tf.keep(sum.clone());
      return tf.div(sum, context.batchCount) as tf.Scalar;
    }, vars);
  });
  value.dispose();
  try {
    const [loss, right] = await Promise.all([lossSum!.data(), correct!.data()]);
    return { grads: new Map(names.map((k, i) => [k, grads[vars[i].name]])), lossSum: loss[0], correct: right[0] };
  } finally {
    lossSum?.dispose();
    correct?.dispose();
  }
}

/** Scales `grads` in place (replacing the tensors) so their global L2 norm is at most `maxNorm`; returns the norm before. */
export async function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): Promise<number> {
  // Pairwise adds, not tf.addN: webgpu's AddN binds every input at once, more than the storage buffers a shader
  // may have for NiN's 24 tensors (the pipeline is invalid and the norm garbage). The same left-to-right float32 sum.
  const normTensor = tf.tidy(() =>
    tf.sqrt([...grads.values()].map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b))),
  );
  const norm = (await normTensor.data())[0];
  normTensor.dispose();
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_'s 1e-6
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return norm;
}

/** Adds `more` into `into` (replacing its tensors) and disposes `more`'s. */
export function accumulateGradients(into: Map<string, tf.Tensor>, more: ReadonlyMap<string, tf.Tensor>): void {
  for (const [name, g] of more) {
    const prev = into.get(name);
    if (!prev) {
      into.set(name, g);
      continue;
    }
    into.set(name, tf.add(prev, g));
    prev.dispose();
    g.dispose();
  }
}

/**
 * One optimiser step on one batch, computed in one piece: the reference that micro-batched and multi-worker
 * steps must equal. Every tensor it makes is released.
 */
export async function trainStep(
  params: TrainableParams,
  optimizer: NinOptimizer,
  batch: StepInput,
  learningRate: number,
  dropoutSeed: number,
  step = 1,
): Promise<StepResult> {
  const { grads, lossSum, correct } = await sliceGradients(params, batch, {
    batchCount: batch.count,
    firstIndex: 0,
    dropoutSeed,
    distill: null,
  });
  try {
    optimizer.apply(params, grads, learningRate, step);
    return { loss: lossSum / batch.count, correct };
  } finally {
    for (const g of grads.values()) g.dispose();
  }
}
