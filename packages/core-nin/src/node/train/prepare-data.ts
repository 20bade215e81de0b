import type { BackendInfo } from '../../backends/registry.ts';
import type { TrainingRecipe } from '../../training/recipe.ts';
import { effectiveMicroBatch, microBatchFor } from '../../training/micro-batch.ts';
import type { NinTrainer, TrainingData } from '../../training/trainer.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import type { TrainRunOptions } from './options.ts';
import { progressBar } from './progress-bar.ts';
import type { BatchPlan, PreparedData } from './session.ts';
import { DEFAULT_TEACHER_CACHE_DIR, teacherLogits } from './teacher-logits.ts';

/**
 * Fashion-MNIST for the run: the training split (with the teacher's logits, computed or read from the cache, when
 * the recipe distils) and the test images it is tested on.
 */
export async function prepareData(
  options: TrainRunOptions,
  trainer: NinTrainer,
  log: (line: string) => void,
): Promise<PreparedData> {
  const recipe = trainer.recipe;
  const [train, fullTest] = await Promise.all([
    loadFashionMnist('train', { dir: options.dataDir }),
    loadFashionMnist('test', { dir: options.dataDir }),
  ]);
  const testCount = options.testLimit ? Math.min(options.testLimit, fullTest.count) : fullTest.count;
  const test = {
    images: fullTest.images.subarray(0, testCount * 784),
    labels: fullTest.labels.subarray(0, testCount),
    count: testCount,
  };
  const trainCount = recipe.limit > 0 ? Math.min(recipe.limit, train.count) : train.count;
  const stepsPerEpoch = trainer.stepsPerEpoch(train.count);
  let trainData: TrainingData = train;
  if (recipe.distill) {
    const teacherPath = options.distill?.teacherPath ?? recipe.distill.teacher;
    const bar = progressBar(options.progress, {
      format: `  teacher logits |{bar}| {value}/{total} images | ETA {eta_formatted}`,
      noTTYOutput: true,
      notTTYSchedule: 30_000,
    });
    let started = false;
    const logits = await teacherLogits({
      teacherPath,
      images: {
        images: train.images.subarray(0, trainCount * 784),
        labels: train.labels.subarray(0, trainCount),
        count: trainCount,
      },
      flipped: recipe.augment.flip,
      cacheDir: options.teacherCacheDir ?? DEFAULT_TEACHER_CACHE_DIR,
      log,
      onProgress: (done, total) => {
        if (!started) bar?.start(total, 0);
        started = true;
        bar?.update(done);
      },
    });
    bar?.stop();
    if (logits.teacherSha256 !== recipe.distill.teacherSha256)
      throw new RangeError(
        `teacher ${teacherPath} is not the run's teacher (tensors sha256 ${logits.teacherSha256.slice(0, 12)}, ` +
          `the recipe has ${recipe.distill.teacherSha256.slice(0, 12)})`,
      );
    trainData = { ...train, teacher: logits };
  }
  return { train, trainData, trainCount, stepsPerEpoch, test, fullTestCount: fullTest.count };
}

/**
 * WebGPU caps what one shader may bind: a batch whose largest activation exceeds it runs as micro-batches (only
 * the float summation order changes, so the recipe keeps its value and the provenance records the one used).
 * NIN_MAX_BINDING_BYTES lowers the limit, to rehearse the split on a small input.
 */
export function planBatches(backend: BackendInfo, recipe: TrainingRecipe, log: (line: string) => void): BatchPlan {
  const reported = Number(backend.details.maxStorageBufferBindingSize ?? 0);
  const rehearse = Number(process.env.NIN_MAX_BINDING_BYTES ?? 0);
  const bindingLimit = rehearse > 0 ? (reported > 0 ? Math.min(reported, rehearse) : rehearse) : reported;
  const microBatch = effectiveMicroBatch(recipe.microBatch, recipe.batchSize, recipe.inputSize, bindingLimit);
  if (microBatch !== recipe.microBatch)
    log(
      `batch ${recipe.batchSize} runs as micro-batches of ${microBatch} (storage binding limit ${bindingLimit} bytes)`,
    );
  return { bindingLimit, microBatch, evalBatch: microBatchFor(100, recipe.inputSize, bindingLimit) };
}
