// A stand-in classifier for the app's tests: answers at once, records what it was given.
import { FASHION_MNIST_CLASSES, predictionFromLogits } from '@nin-bench/core-nin';
import type { EdgeClassifier } from '../src/classifier.ts';

/** A classifier whose "logits" are a function of the pixels, so that equal images give equal answers. */
export function stubClassifier(): EdgeClassifier & { calls: Uint8Array[] } {
  const calls: Uint8Array[] = [];
  return {
    calls,
    engine: { name: 'tfjs', runtime: 'stub', compute: 'none', modelFormat: 'safetensors' },
    model: {
      architecture: { name: 'stub', source: 'test', layers: [] },
      parameterCount: 1,
      multiplyAdds: 1,
      inputSize: 96,
      weightPrecision: 'int8',
      testAccuracy: 0.9,
      classes: FASHION_MNIST_CLASSES,
      sha256: 'ab'.repeat(32),
      manifest: null,
    },
    backend: { spec: 'stub:x', simd: false, details: {} },
    async classify(images, count, topK) {
      calls.push(images.slice());
      const predictions = Array.from({ length: count }, (_, i) => {
        const img = images.subarray(i * 784, (i + 1) * 784);
        const logits = Array.from(
          { length: 10 },
          (_, k) => img.reduce((s, v, p) => s + (p % 10 === k ? v : 0), 0) / 1e4,
        );
        return { ...predictionFromLogits(logits, topK), logits };
      });
      return { predictions, timing: { preprocessMs: 1, inferenceMs: 2 } };
    },
    wasmHeapBytes: () => 42 * 2 ** 20,
  };
}
