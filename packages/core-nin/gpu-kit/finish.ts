// Turns what a GPU run returned (run.sh's OUT folder) into the repository's artefacts:
//   packages/core-nin/weights/nin-fmnist-224.safetensors (+ .int8.safetensors), manifest accuracy from the GPU's
//   full test-set evaluation;  results/gpu/gpu-run.json (as measured) and results/gpu/summary.json (the figures
//   side by side, ratios computed here);  results/training-224/ (log, curve, run log, checkpoint state).
// Usage: node --import tsx packages/core-nin/gpu-kit/finish.ts RETURNED_DIR
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/atomic-write.ts';
import { readNinWeightsFile, writeNinWeightsFile } from '../src/node/weights-file.ts';

// Copies are written, not copied, so they come out writable even from the device's read-only folder.
const copyFile = async (a: string, b: string) => writeFileAtomic(b, await readFile(a));
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const from = resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: finish.ts RETURNED_DIR (the folder run.sh wrote: gpu-run.json, run.log, train/)');
  process.exit(2);
}

interface Timed { batch: number; imagesPerSecond: number; medianMs: number; microBatch?: number; precision?: string; convFilterGrad?: string }
const run = JSON.parse(await readFile(join(from, 'gpu-run.json'), 'utf8')) as Record<string, any>;
const trainLog = JSON.parse(await readFile(join(from, 'train', 'train-log.json'), 'utf8')) as { recipe: Record<string, unknown>; log: Record<string, number>[] };
const state = JSON.parse(await readFile(join(from, 'train', 'checkpoint-state.json'), 'utf8')) as Record<string, number>;
const evalGpu = run['eval-webgpu'] as { images: number; accuracy: number; backend: { details: Record<string, unknown> } } | undefined;

// Weights: the manifest's accuracy becomes the full test set's, as evaluated on the GPU machine.
const { stateDict, manifest } = await readNinWeightsFile(join(from, 'train', 'nin-fmnist-224.safetensors'));
if (!manifest) throw new Error('the returned weights have no manifest');
const description = {
  inputSize: manifest.inputSize,
  ...(manifest.recipe ? { recipe: manifest.recipe } : {}),
  ...(evalGpu
    ? { accuracy: { test: evalGpu.accuracy, ...(manifest.accuracy?.train !== undefined ? { train: manifest.accuracy.train } : {}), evaluatedOn: `all ${evalGpu.images} Fashion-MNIST test images, nin eval on webgpu (${String(evalGpu.backend.details.adapter)})` } }
    : manifest.accuracy ? { accuracy: manifest.accuracy } : {}),
  provenance: { ...manifest.provenance, machine: String(run['nvidia-smi'] ?? '').trim().split('\n')[1] ?? 'unknown', kit: 'packages/core-nin/gpu-kit (run.sh, train-lite.ts)' },
};
const weightsDir = join(root, 'packages/core-nin/weights');
await writeNinWeightsFile(join(weightsDir, 'nin-fmnist-224.safetensors'), stateDict, 'float32', description);
await writeNinWeightsFile(join(weightsDir, 'nin-fmnist-224.int8.safetensors'), stateDict, 'int8', description);

// Figures.
const gpuDir = join(root, 'results/gpu');
await copyFile(join(from, 'gpu-run.json'), join(gpuDir, 'gpu-run.json'));
const ts = run['webgpu-bench'] as { train: Timed[]; inference: Timed[] };
const torch = run['torch-bench'] as { train: Timed[]; inference: Timed[]; environment: Record<string, unknown> };
const tsTrain = ts.train.find((t) => t.convFilterGrad === 'matmul')!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const rates = trainLog.log.map((e) => e.imagesPerSecond!).filter((x) => x > 0).sort((a, b) => a - b);
const summary = {
  kind: 'nin-gpu-summary',
  note: 'Computed by packages/core-nin/gpu-kit/finish.ts from gpu-run.json (one run of packages/core-nin/gpu-kit/run.sh); every figure is a measurement of that run.',
  machine: String(run['nvidia-smi'] ?? '').trim(),
  webgpuAdapter: run.probe?.webgpu?.details,
  torch: torch.environment,
  node: (run['webgpu-bench'] as { environment: unknown }).environment,
  forwardParity: run.probe?.parity,
  trainImagesPerSecond: {
    size: 224,
    batch: tsTrain.batch,
    typescriptWebgpu: round(tsTrain.imagesPerSecond),
    typescriptWebgpuStockFilterGradient: round(ts.train.find((t) => t.convFilterGrad === 'tfjs')?.imagesPerSecond ?? NaN),
    pytorchCudaDefault: round(torch.train[0]!.imagesPerSecond),
    pytorchCudaFloat32: round(torch.train[1]!.imagesPerSecond),
    pytorchDefaultOverTypescript: round(torch.train[0]!.imagesPerSecond / tsTrain.imagesPerSecond, 2),
    pytorchFloat32OverTypescript: round(torch.train[1]!.imagesPerSecond / tsTrain.imagesPerSecond, 2),
    note: 'device-resident random batches, one sync per step (the loss is read); WebGPU computes in strict float32',
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
    trainer: 'packages/core-nin/gpu-kit/train-lite.ts',
    recipe: trainLog.recipe,
    epochs: round(state.globalStep! / Math.floor(60000 / tsTrain.batch), 2),
    steps: state.globalStep,
    trainedSeconds: round(state.trainedSeconds!, 0),
    endToEndImagesPerSecondMedian: round(rates[Math.floor(rates.length / 2)] ?? NaN),
    testAccuracyGpu: evalGpu ? { images: evalGpu.images, accuracy: evalGpu.accuracy } : null,
  },
  steps: run.steps,
};
await writeFileAtomic(join(gpuDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

const trainDir = join(root, 'results/training-224');
for (const f of ['train-log.json', 'train-curve.svg', 'checkpoint-state.json']) await copyFile(join(from, 'train', f), join(trainDir, f));
await copyFile(join(from, 'run.log'), join(trainDir, 'run.log'));
console.log(JSON.stringify({ trainImagesPerSecond: summary.trainImagesPerSecond, inference: summary.inferenceImagesPerSecond, training: { ...summary.training, recipe: undefined } }, null, 2));
