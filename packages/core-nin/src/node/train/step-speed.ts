import { spawn } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackend } from '../../backends/registry.ts';
import { setWasmFilterGradientStrategy, type FilterGradientStrategy } from '../../backends/wasm-training-kernels.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../../data/preprocess.ts';
import { D2L_RECIPE } from '../../training/recipe.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { activateTrainingBackend } from './backend.ts';
import { option, runScript, type ParsedArgs } from '../cli-args.ts';

/**
 * Images per second of one NiN training step (forward, loss, gradients, SGD-momentum update, read-back of the
 * loss), on real Fashion-MNIST batches, per backend, input size and batch size. Each configuration runs in its
 * own process so that backends never share a heap. The first step (kernel setup, XNNPACK packing) is excluded.
 *
 *   npx tsx packages/core-nin/src/node/train/step-speed.ts --configs wasm:96:32,wasm:224:128 --steps 3 --out results/training/step-speed.json
 */

export interface StepSpeed {
  readonly backend: string;
  readonly strategy?: FilterGradientStrategy;
  readonly size: number;
  readonly batch: number;
  readonly stepsMs: number[];
  /** over the steps after the first */
  readonly imagesPerSecond: number | null;
  readonly error?: string;
  readonly loadAverage1m: number;
  /** what the backend reported (binary, adapter ...) */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

async function measureOne(
  backend: string,
  size: number,
  batch: number,
  steps: number,
  strategy: FilterGradientStrategy,
  budgetS: number,
): Promise<StepSpeed> {
  const info = await activateTrainingBackend(backend);
  setWasmFilterGradientStrategy(strategy);
  const { NinTrainer } = await import('../../training/trainer.ts');
  const { trainStep } = await import('../../training/step.ts');
  const trainer = NinTrainer.create({
    ...D2L_RECIPE,
    inputSize: size,
    batchSize: batch,
    momentum: 0.9,
    learningRate: 0.01,
  });
  const train = await loadFashionMnist('train', { download: false });
  const stepsMs: number[] = [];
  const start = performance.now();
  for (let s = 0; s < steps; s++) {
    const images = preprocessImages(
      train.images.subarray(s * batch * FASHION_MNIST_PIXELS, (s + 1) * batch * FASHION_MNIST_PIXELS),
      size,
    );
    const labels = train.labels.subarray(s * batch, (s + 1) * batch);
    const t0 = performance.now();
    await trainStep(trainer.params, trainer.optimizer, { images, labels, count: batch, inputSize: size }, 0.01, s);
    stepsMs.push(performance.now() - t0);
    // Stop early rather than run for an hour on a slow backend; at least two steps are needed for a figure.
    if (s >= 1 && (performance.now() - start) / 1000 > budgetS) break;
  }
  const steady = stepsMs.slice(1);
  const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
  trainer.dispose();
  return {
    backend: formatBackend(info),
    ...(info.name === 'wasm' ? { strategy } : {}),
    size,
    batch,
    stepsMs: stepsMs.map((t) => Math.round(t)),
    imagesPerSecond: steady.length ? +((batch * 1000) / mean).toFixed(2) : null,
    loadAverage1m: +loadavg()[0].toFixed(2),
    details: info.details,
  };
}

function runChild(config: string, steps: number, budgetS: number, timeoutS: number): Promise<StepSpeed> {
  const [backendName, variantOrSize, ...rest] = config.split(':');
  // backend[:variant]:size:batch[:strategy]
  const parts = /^\d+$/.test(variantOrSize)
    ? [backendName, variantOrSize, ...rest]
    : [`${backendName}:${variantOrSize}`, ...rest];
  const [backend, size, batch, strategy = 'fast'] = parts;
  return new Promise((ok) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--one',
        [backend, size, batch, strategy, steps, budgetS].join(','),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        ok(JSON.parse(line) as StepSpeed);
      } catch {
        const reason =
          err
            .split('\n')
            .find((l) => /^\s*[A-Za-z]*Error\b[:\s]/.test(l))
            ?.trim() ?? 'exited without a result';
        const error = timedOut ? `no result within ${timeoutS} s` : `failed: ${reason}`;
        ok({
          backend,
          ...(backend.startsWith('wasm') ? { strategy: strategy as FilterGradientStrategy } : {}),
          size: +size,
          batch: +batch,
          stepsMs: [],
          imagesPerSecond: null,
          error,
          loadAverage1m: +loadavg()[0].toFixed(2),
        });
      }
    });
  });
}

const USAGE =
  'usage: npx tsx packages/core-nin/src/node/train/step-speed.ts [--configs LIST] [--steps N] [--budget-s S] ' +
  `[--timeout-s S] [--out F.json] [--note TEXT]

Images per second of one NiN training step per backend, input size and batch size, each in its own process.
  --configs LIST   backend[:variant]:size:batch[:strategy], comma-separated (default wasm:96:32,wasm:96:128,wasm:224:32,wasm:224:128)
  --steps N        timed steps per configuration, after the first (default 3)
  --budget-s S     stop timing a configuration after S seconds (default 120)
  --timeout-s S    kill a configuration's process after S seconds (default 600)
  --out F          also write the report as JSON to F
  --note TEXT      appended to the report's note`;

async function main({ values }: ParsedArgs<typeof OPTIONS>): Promise<number> {
  if (values.one) {
    const [backend, size, batch, strategy, steps, budget] = values.one.split(',');
    const r = await measureOne(backend, +size, +batch, +steps, strategy as FilterGradientStrategy, +budget);
    console.log(JSON.stringify(r));
    return 0;
  }
  const results: StepSpeed[] = [];
  for (const config of values.configs) {
    const r = await runChild(config, values.steps, values['budget-s'], values['timeout-s']);
    console.error(JSON.stringify(r));
    results.push(r);
  }
  const note =
    'one training step = forward + softmax cross-entropy + gradients + SGD-momentum update; first step excluded; ' +
    'machine shared with other jobs (load average recorded per configuration)';
  const report = {
    measured: new Date().toISOString(),
    cpu: `${cpus()[0]?.model} x${cpus().length}`,
    node: process.version,
    tfjs: tf.version_core,
    note: values.note ? `${note}; ${values.note}` : note,
    results,
  };
  if (values.out) {
    await mkdir(dirname(resolve(values.out)), { recursive: true });
    await writeFile(resolve(values.out), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report, null, 2));
  return 0;
}

const OPTIONS = {
  // one configuration, in the child process runChild starts
  one: option.string(),
  configs: option.list().default(['wasm:96:32', 'wasm:96:128', 'wasm:224:32', 'wasm:224:128']),
  steps: option.positiveInteger().default(3),
  'budget-s': option.number({ above: 0 }).default(120),
  'timeout-s': option.number({ above: 0 }).default(600),
  out: option.string(),
  note: option.string(),
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runScript({
    name: 'step-speed',
    helpCommand: 'npx tsx packages/core-nin/src/node/train/step-speed.ts --help',
    usage: USAGE,
    options: OPTIONS,
    run: main,
  });
}
