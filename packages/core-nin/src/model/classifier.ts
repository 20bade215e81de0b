import * as tf from '@tensorflow/tfjs-core';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../data/preprocess.ts';
import { decodeNinWeights, type StateDict } from '../weights/state-dict.ts';
import type { NinManifest } from '../weights/manifest.ts';
import { DEFAULT_INPUT_SIZE, NUM_CLASSES, assertInputSize } from './architecture.ts';
import { ninForward, type NinParams } from './nin.ts';
import { disposeParams, paramsFromStateDict } from './params.ts';
import { predictionFromLogits, type Prediction } from './prediction.ts';

// Where they were first defined; prediction.ts keeps them free of tfjs for the ONNX Runtime edge engine.
export { predictionFromLogits, type ClassScore, type Prediction } from './prediction.ts';

/**
 * A trained NiN on the active backend, ready to classify: the one object the CLI, the bench and the edge share.
 * It does not choose a backend: activate one through the registry first.
 */
export class NinClassifier {
  private constructor(
    readonly params: NinParams,
    readonly inputSize: number,
    readonly manifest: NinManifest | null,
  ) {}

  /** Uploads a state_dict to the active backend. */
  static fromStateDict(stateDict: StateDict, inputSize: number, manifest: NinManifest | null = null): NinClassifier {
    assertInputSize(inputSize);
    return new NinClassifier(paramsFromStateDict(stateDict), inputSize, manifest);
  }

  /** Parses and verifies safetensors bytes; the input size comes from the manifest unless given. */
  static async fromSafetensors(bytes: Uint8Array, options: { inputSize?: number } = {}): Promise<NinClassifier> {
    const { stateDict, manifest } = await decodeNinWeights(bytes);
    return NinClassifier.fromStateDict(
      stateDict,
      options.inputSize ?? manifest?.inputSize ?? DEFAULT_INPUT_SIZE,
      manifest,
    );
  }

  /**
   * Logits `[n, 10]` (row-major) for `n` preprocessed images `[n, size, size, 1]` in [0,1]. With `maxBatch`, the
   * images go through the network in sequential chunks of at most that many: a backend's working memory grows
   * with the batch (and tfjs-backend-wasm's linear memory never shrinks), so a memory-capped runtime such as a
   * Workers isolate bounds it this way at no cost in results.
   */
  async logits(input: Float32Array, n: number, options: { maxBatch?: number } = {}): Promise<Float32Array> {
    const chunk = options.maxBatch ?? n;
    if (!(Number.isInteger(chunk) && chunk >= 1))
      throw new RangeError(`maxBatch must be a whole number >= 1, got ${chunk}`);
    const side = this.inputSize * this.inputSize;
    if (input.length !== n * side)
      throw new RangeError(`expected ${n}x${this.inputSize}x${this.inputSize} input values, got ${input.length}`);
    if (chunk >= n) return this.#logitsOnce(input, n);
    const logits = new Float32Array(n * NUM_CLASSES);
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      logits.set(await this.#logitsOnce(input.subarray(start * side, (start + m) * side), m), start * NUM_CLASSES);
    }
    return logits;
  }

  async #logitsOnce(input: Float32Array, n: number): Promise<Float32Array> {
    const out = this.logitsTensor(input, n);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** The forward pass as a tensor, for callers that time or chain on-device work; the caller disposes it. */
  logitsTensor(input: Float32Array, n: number): tf.Tensor2D {
    const s = this.inputSize;
    if (input.length !== n * s * s) throw new RangeError(`expected ${n}x${s}x${s} input values, got ${input.length}`);
    return tf.tidy(() => ninForward(this.params, tf.tensor4d(input, [n, s, s, 1])));
  }

  /** Classifies 28x28 8-bit images (n x 784 bytes back to back); `maxBatch` as for {@link logits}. */
  async classify(images: Uint8Array, topK = 3, options: { maxBatch?: number } = {}): Promise<Prediction[]> {
    const n = images.length / FASHION_MNIST_PIXELS;
    const logits = await this.logits(preprocessImages(images, this.inputSize), n, options);
    return Array.from({ length: n }, (_, i) =>
      predictionFromLogits(logits.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), topK),
    );
  }

  dispose(): void {
    disposeParams(this.params);
  }
}
