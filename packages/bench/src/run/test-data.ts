import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_PIXELS, preprocessImages, type LabelledImages } from '@nin-bench/core-nin';
import type { ChildTask } from '../child/protocol.ts';
import type { RunPlan } from './plan.ts';

/** The test set's fixed slice as the children read it: written once, and preprocessed once per size. */
export interface TestData {
  /** the slice's labels, for scoring the rows' logits */
  readonly labels: Uint8Array;
  /** the child's `data` at `size`: writes that size's preprocessed inputs the first time it is asked for */
  at(size: number): Promise<ChildTask['data']>;
}

/** Writes the slice's raw images and labels into the run's scratch folder. */
export async function writeTestData(
  folder: string,
  testSet: LabelledImages,
  plan: Pick<RunPlan, 'sliceCount' | 'inputCount'>,
): Promise<TestData> {
  const { sliceCount: count, inputCount } = plan;
  const labels = testSet.labels.subarray(0, count);
  const imagesPath = join(folder, 'test-images.bin');
  const labelsPath = join(folder, 'test-labels.bin');
  await writeFile(imagesPath, testSet.images.subarray(0, count * FASHION_MNIST_PIXELS));
  await writeFile(labelsPath, labels);
  const written = new Set<number>();
  return {
    labels,
    async at(size) {
      const inputsPath = join(folder, `inputs-${size}.f32`);
      if (!written.has(size)) {
        const input = preprocessImages(testSet.images.subarray(0, inputCount * FASHION_MNIST_PIXELS), size);
        await writeFile(inputsPath, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
        written.add(size);
      }
      return { imagesPath, labelsPath, count, inputsPath, inputCount };
    },
  };
}
