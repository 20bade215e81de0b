// One image's answer from its logits: no tfjs here, so engines other than tfjs (the ONNX Runtime edge Worker) share it.
import { FASHION_MNIST_CLASSES } from '../data/classes.ts';
import { NUM_CLASSES } from './architecture.ts';

export interface ClassScore {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

export interface Prediction {
  readonly index: number;
  readonly label: string;
  readonly probabilities: number[];
  readonly top: ClassScore[];
}

/** Softmax (numerically stable) and top-k of one image's logits. */
export function predictionFromLogits(logits: ArrayLike<number>, topK = 3): Prediction {
  const max = Math.max(...Array.from(logits));
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probabilities = exps.map((e) => e / sum);
  const order = probabilities.map((p, index) => ({ index, p })).sort((a, b) => b.p - a.p);
  const top = order
    .slice(0, Math.max(1, Math.min(topK, NUM_CLASSES)))
    .map(({ index, p }) => ({ index, label: FASHION_MNIST_CLASSES[index], probability: p }));
  return { index: top[0].index, label: top[0].label, probabilities, top };
}
