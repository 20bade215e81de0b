// Checks the engines that run an exported int8 model file share (onnx-classifier.test.ts, litert-classifier.test.ts).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, expect } from 'vitest';
import { FASHION_MNIST_PIXELS } from '@nin-bench/core-nin/data';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import type { EdgeClassifier } from './classifier.ts';
import type { EdgeBuild } from './node/edge-weights.ts';
import { loadEdgeClassifierForBuild } from './node/engines.ts';
import { syntheticImage } from '../test/requests.ts';

/** A build's classifier under Node and the model file it bundles, loaded once before a file's tests. */
export interface BuildUnderTest {
  readonly classifier: EdgeClassifier;
  readonly file: Uint8Array;
}

/** Loads `build` in a beforeAll; the returned object holds it once that has run. */
export function useBuildClassifier(build: EdgeBuild): BuildUnderTest {
  const loaded = {} as { classifier: EdgeClassifier; file: Uint8Array };
  beforeAll(async () => {
    loaded.file = new Uint8Array(await readFile(build.weights));
    loaded.classifier = await loadEdgeClassifierForBuild(build);
  });
  return loaded;
}

/** The model is described as the bundled file it runs, and the runtime's wasm memory is reported. */
export function expectDescribesModelFile(classifier: EdgeClassifier, file: Uint8Array): void {
  expect(classifier.model.sha256).toBe(createHash('sha256').update(file).digest('hex'));
  expect(classifier.wasmHeapBytes()).toBeGreaterThan(1 << 20);
}

/**
 * A batch of two gives the second image the logits and top-k it gets alone (whatever the forward batch), the
 * probabilities sum to 1, and a byte count that is not `count` images is refused.
 */
export async function expectBatchAsEachAlone(classifier: EdgeClassifier): Promise<void> {
  const a = syntheticImage(1);
  const b = syntheticImage(3);
  const batch = await classifier.classify(new Uint8Array([...a, ...b]), 2, 10);
  const alone = await classifier.classify(b, 1, 10);
  expect(batch.predictions).toHaveLength(2);
  expect(batch.predictions[0].probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
  expect(batch.predictions[1].logits).toEqual(alone.predictions[0].logits);
  expect(batch.predictions[1].top.map((t) => t.index)).toEqual(alone.predictions[0].top.map((t) => t.index));
  await expect(classifier.classify(a, 2, 1)).rejects.toThrow(/expected 2 28x28 images, got 784 bytes/);
}

/** How two classifiers did on the same test images: right answers each, and how often their top-1 was the same. */
export interface AgreementTally {
  readonly images: number;
  readonly same: number;
  readonly right: readonly [number, number];
}

/** `ours` and `theirs` on the first `images` of the official test set, `chunk` images a request. */
export async function tallyAgreement(
  ours: EdgeClassifier,
  theirs: EdgeClassifier,
  images: number,
  chunk: number,
): Promise<AgreementTally> {
  const test = await loadFashionMnist('test', { download: false });
  let same = 0;
  const right: [number, number] = [0, 0];
  for (let start = 0; start < images; start += chunk) {
    const n = Math.min(chunk, images - start);
    const slice = test.images.subarray(start * FASHION_MNIST_PIXELS, (start + n) * FASHION_MNIST_PIXELS);
    const [a, b] = await Promise.all([ours.classify(slice, n, 1), theirs.classify(slice, n, 1)]);
    for (let i = 0; i < n; i++) {
      const label = test.labels[start + i];
      same += Number(a.predictions[i].index === b.predictions[i].index);
      right[0] += Number(a.predictions[i].index === label);
      right[1] += Number(b.predictions[i].index === label);
    }
  }
  return { images, same, right };
}
