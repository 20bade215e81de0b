// Turns what a GPU run returned (run.sh's OUT folder) into the repository's artefacts:
//   packages/core-nin/weights/nin-fmnist-224.safetensors, manifest accuracy from the GPU's full test-set
//   evaluation, and nin train's int8 copy as it is (its manifest states its own accuracy on the images it was tested
//   on: `nin eval --record` measures all 10,000);  results/gpu/gpu-run.json (as measured) and
//   results/gpu/summary.json (the figures side by side, ratios computed here);  results/training-224/
//   training-224.json, training-224.svg and gpu-run.log (nin train's log and curve, run.sh's log: the committed
//   train-lite run's train-log.json, train-curve.svg, checkpoint-state.json and run.log stay beside them as data);
//   .kit/resume/nin-fmnist-224.ckpt.safetensors (git-ignored), the checkpoint a next run resumes from;
//   results/bench-gpu/results.json when the run included the bench harness (run.sh's `harness` step).
// Usage: node --import tsx packages/core-nin/gpu-kit/finish.ts RETURNED_DIR [ROOT]   (ROOT: another tree to write
// into instead of this repository, to rehearse it on a lavapipe run's output without touching the committed files)
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/atomic-write.ts';
import { readNinWeightsFile, writeNinWeightsFile } from '../src/node/weights-file.ts';
import type { EpochRecord } from '../src/training/trainer.ts';
import type { TrainingRecipe } from '../src/training/recipe.ts';
import { weightFileName, type WeightFileKind } from '../src/weights/file-name.ts';

// Copies are written, not copied, so they come out writable even from the device's read-only folder.
const copyFile = async (a: string, b: string) => writeFileAtomic(b, await readFile(a));
const root = resolve(process.argv[3] ?? fileURLToPath(new URL('../../..', import.meta.url)));
const from = resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error(
    'usage: finish.ts RETURNED_DIR [ROOT] (RETURNED_DIR: the folder run.sh wrote: gpu-run.json, run.log, train/)',
  );
  process.exit(2);
}

// The bench harness's own run on the GPU machine (run.sh's `harness` step), same schema as results/bench/results.json:
// `npm run report` shows it in the report's GPU section.
const harnessResults = join(from, 'bench-gpu', 'bench', 'results.json');
if (existsSync(harnessResults)) {
  await copyFile(harnessResults, join(root, 'results/bench-gpu/results.json'));
  // the GPU and its driver, which the harness's results (a CPU-side schema) do not record
  if (existsSync(join(from, 'bench-gpu', 'nvidia-smi.csv')))
    await copyFile(join(from, 'bench-gpu', 'nvidia-smi.csv'), join(root, 'results/bench-gpu/nvidia-smi.csv'));
  console.log(
    `wrote ${join(root, 'results/bench-gpu/results.json')}: run \`npm run report\` to put it in results/report.md`,
  );
}
if (
  !existsSync(join(from, 'gpu-run.json')) ||
  !existsSync(join(from, 'train')) ||
  !(await readdir(join(from, 'train'))).some((f) => /^training-\d+\.json$/.test(f))
) {
  // A harness-only call (NIN_KIT_HARNESS=on NIN_KIT_SKIP="torch bench train eval") returns no training to finish.
  if (existsSync(harnessResults)) process.exit(0);
}

interface Timed {
  batch: number;
  imagesPerSecond: number;
  medianMs: number;
  microBatch?: number;
  precision?: string;
  convFilterGrad?: string;
}
const run = JSON.parse(await readFile(join(from, 'gpu-run.json'), 'utf8')) as Record<string, any>;
// nin train's log (results/training-<size>.json's schema); 224 on the GPU, smaller in a lavapipe rehearsal.
const logName = (await readdir(join(from, 'train'))).find((f) => /^training-\d+\.json$/.test(f));
if (!logName) throw new Error(`no training-<size>.json in ${join(from, 'train')}: did the train step run?`);
const size = Number(/\d+/.exec(logName)![0]);
const fileName = (kind?: WeightFileKind) => weightFileName(size, kind);
const trainLog = JSON.parse(await readFile(join(from, 'train', logName), 'utf8')) as {
  recipe: TrainingRecipe;
  trainImages: number;
  epochs: EpochRecord[];
  final: { status: string; epochsRun: number; wallSeconds: number } | null;
};
const evalGpu = run['eval-webgpu'] as
  { images: number; accuracy: number; backend: { details: Record<string, unknown> } } | undefined;

// Weights: the manifest's accuracy becomes the full test set's, as evaluated on the GPU machine.
const { stateDict, manifest } = await readNinWeightsFile(join(from, 'train', fileName()));
if (!manifest) throw new Error('the returned weights have no manifest');
const description = {
  inputSize: manifest.inputSize,
  ...(manifest.recipe ? { recipe: manifest.recipe } : {}),
  ...(evalGpu
    ? {
        accuracy: {
          test: evalGpu.accuracy,
          ...(manifest.accuracy?.train !== undefined ? { train: manifest.accuracy.train } : {}),
          evaluatedOn: `all ${evalGpu.images} Fashion-MNIST test images, nin eval on webgpu (${String(evalGpu.backend.details.adapter)})`,
        },
      }
    : manifest.accuracy
      ? { accuracy: manifest.accuracy }
      : {}),
  provenance: {
    ...manifest.provenance,
    machine:
      String(run['nvidia-smi'] ?? '')
        .trim()
        .split('\n')[1] ?? 'unknown',
    kit: 'packages/core-nin/gpu-kit (run.sh, nin train)',
  },
};
const weightsDir = join(root, 'packages/core-nin/weights');
await writeNinWeightsFile(join(weightsDir, fileName()), stateDict, 'float32', description);
await copyFile(join(from, 'train', fileName('int8')), join(weightsDir, fileName('int8')));

// Figures.
const gpuDir = join(root, 'results/gpu');
await copyFile(join(from, 'gpu-run.json'), join(gpuDir, 'gpu-run.json'));
const ts = run['webgpu-bench'] as { train: Timed[]; inference: Timed[]; model: { size: number } };
const torch = run['torch-bench'] as { train: Timed[]; inference: Timed[]; environment: Record<string, unknown> };
const tsTrain = ts.train.find((t) => t.convFilterGrad === 'matmul')!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const rates = trainLog.epochs
  .map((e) => e.imagesPerSecond)
  .filter((x) => x > 0)
  .sort((a, b) => a - b);
const stepsPerEpoch = Math.ceil(trainLog.trainImages / trainLog.recipe.batchSize);
const summary = {
  kind: 'nin-gpu-summary',
  note:
    'Computed by packages/core-nin/gpu-kit/finish.ts from gpu-run.json (one run of packages/core-nin/gpu-kit/run.sh); ' +
    'every figure is a measurement of that run.',
  machine: String(run['nvidia-smi'] ?? '').trim(),
  webgpuAdapter: run.probe?.webgpu?.details,
  torch: torch.environment,
  node: (run['webgpu-bench'] as { environment: unknown }).environment,
  forwardParity: run.probe?.parity,
  trainImagesPerSecond: {
    size: ts.model.size,
    batch: tsTrain.batch,
    typescriptWebgpu: round(tsTrain.imagesPerSecond),
    typescriptWebgpuStockFilterGradient: round(
      ts.train.find((t) => t.convFilterGrad === 'tfjs')?.imagesPerSecond ?? NaN,
    ),
    pytorchCudaDefault: round(torch.train[0]!.imagesPerSecond),
    pytorchCudaFloat32: round(torch.train[1]!.imagesPerSecond),
    pytorchDefaultOverTypescript: round(torch.train[0]!.imagesPerSecond / tsTrain.imagesPerSecond, 2),
    pytorchFloat32OverTypescript: round(torch.train[1]!.imagesPerSecond / tsTrain.imagesPerSecond, 2),
    note:
      "the core trainer's step as nin train --resize device runs it (random 28x28 batches uploaded, resized on the " +
      'device; the loss read per micro-batch, the gradient norm once); WebGPU computes in strict float32',
  },
  inferenceImagesPerSecond: ts.inference.map((t) => {
    const d = torch.inference.find((x) => x.batch === t.batch && x.precision?.startsWith('default'));
    const f = torch.inference.find((x) => x.batch === t.batch && x.precision?.startsWith('float32'));
    return {
      batch: t.batch,
      typescriptWebgpu: round(t.imagesPerSecond),
      pytorchCudaDefault: round(d?.imagesPerSecond ?? NaN),
      pytorchCudaFloat32: round(f?.imagesPerSecond ?? NaN),
      pytorchFloat32OverTypescript: round((f?.imagesPerSecond ?? NaN) / t.imagesPerSecond, 2),
    };
  }),
  training: {
    trainer: 'nin train (packages/core-nin/src/node/train/run.ts)',
    recipe: trainLog.recipe,
    epochs: trainLog.final?.epochsRun ?? trainLog.epochs.length,
    steps: Math.round((trainLog.final?.epochsRun ?? trainLog.epochs.length) * stepsPerEpoch),
    trainedSeconds: round(
      trainLog.epochs.reduce((a, e) => a + e.trainSeconds, 0),
      0,
    ),
    endToEndImagesPerSecondMedian: round(rates[Math.floor(rates.length / 2)] ?? NaN),
    testAccuracyGpu: evalGpu ? { images: evalGpu.images, accuracy: evalGpu.accuracy } : null,
  },
  steps: run.steps,
};
await writeFileAtomic(join(gpuDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

const trainDir = join(root, `results/training-${size}`);
for (const f of [`training-${size}.json`, `training-${size}.svg`])
  await copyFile(join(from, 'train', f), join(trainDir, f));
await copyFile(join(from, 'run.log'), join(trainDir, 'gpu-run.log'));
await copyFile(join(from, 'train', fileName('checkpoint')), join(root, '.kit/resume', fileName('checkpoint')));
console.log(
  JSON.stringify(
    {
      trainImagesPerSecond: summary.trainImagesPerSecond,
      inference: summary.inferenceImagesPerSecond,
      training: { ...summary.training, recipe: undefined },
    },
    null,
    2,
  ),
);
