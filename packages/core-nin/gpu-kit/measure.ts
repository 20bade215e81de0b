import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createNodeBackendRegistry } from '../src/node/backends.ts';
import { writeFileAtomic } from '../src/node/atomic-write.ts';
import { ninForward } from '../src/model/nin.ts';
import { NIN_CONVS, multiplyAdds, parameterCount } from '../src/model/architecture.ts';
import { useWebgpuConvFilterGrad, type ConvFilterGradImpl } from '../src/node/webgpu-conv-filter-grad.ts';
import { D2L_RECIPE } from '../src/training/recipe.ts';
import { createOptimizer } from '../src/training/optimizer.ts';
import { clipByGlobalNorm } from '../src/training/step.ts';
import { localGradients } from '../src/training/gradient-source.ts';
import { microBatchFor } from '../src/training/micro-batch.ts';
import { FASHION_MNIST_PIXELS } from '../src/data/preprocess.ts';

/**
 * The kit's own measurements, run before training on the GPU machine: which adapter Dawn found, whether the
 * webgpu forward pass agrees with tfjs's cpu backend, and how fast the TypeScript stack trains and infers NiN.
 * Written to be read next to gpu-kit/torch_bench.py's figures for the same NiN under PyTorch on the same GPU.
 */

const registry = createNodeBackendRegistry();

/** Seeded, non-zero numbers (an LCG): never time or compare on zeros. */
function pattern(length: number, seed: number, scale = 1, offset = 0): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale + offset;
  }
  return out;
}

/** He-uniform conv weights (variance 2/fan_in) so the signal survives twelve conv+ReLU layers; small biases. */
function heParams(seed: number, asVariables: boolean): Map<string, tf.Tensor> {
  const params = new Map<string, tf.Tensor>();
  NIN_CONVS.forEach((c, i) => {
    const fanIn = c.inChannels * c.kernel * c.kernel;
    const shape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
    const w = tf.tensor(pattern(fanIn * c.outChannels, seed + 2 * i, 2 * Math.sqrt(6 / fanIn)), shape);
    const b = tf.tensor(pattern(c.outChannels, seed + 2 * i + 1, 0.02));
    params.set(`${c.name}.weight`, asVariables ? tf.variable(w, true, `w${i}`) : w);
    params.set(`${c.name}.bias`, asVariables ? tf.variable(b, true, `b${i}`) : b);
    if (asVariables) tf.dispose([w, b]);
  });
  return params;
}

export async function writeJson(path: string | undefined, value: unknown): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (path) await writeFileAtomic(path, text);
  else process.stdout.write(text);
}

function environment() {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    tfjs: tf.version_core,
  };
}

/** Dawn's adapter and forward parity of webgpu against cpu (max |diff| of logits, He-scaled weights, one batch). */
export async function probe(options: { size: number; batch: number }) {
  const input = pattern(options.batch * options.size * options.size, 5, 1, 0.5);
  const logits: Record<string, Float32Array> = {};
  const infos: Record<string, unknown> = {};
  for (const backend of ['cpu', 'webgpu']) {
    infos[backend] = await registry.activate(backend);
    const params = heParams(1, false);
    const x = tf.tensor4d(input, [options.batch, options.size, options.size, 1]);
    const out = ninForward(params, x);
    logits[backend] = (await out.data()) as Float32Array;
    tf.dispose([out, x, ...params.values()]);
  }
  let maxAbsDiff = 0;
  let maxAbs = 0;
  logits.cpu!.forEach((v, i) => {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - logits.webgpu![i]!));
    maxAbs = Math.max(maxAbs, Math.abs(v));
  });
  if (logits.webgpu!.some(Number.isNaN)) maxAbsDiff = Infinity;
  return {
    kind: 'nin-webgpu-probe',
    date: new Date().toISOString(),
    environment: environment(),
    webgpu: infos.webgpu,
    parity: {
      size: options.size,
      batch: options.batch,
      maxAbsDiff,
      maxAbsLogit: maxAbs,
      tolerance: 1e-4,
      pass: maxAbsDiff < 1e-4,
    },
  };
}

interface Timed {
  readonly iterations: number;
  readonly seconds: number;
  readonly medianMs: number;
}

/** Runs `step` (which must wait for its result) `warmup` times, then until `minIterations` and `minSeconds` are both met or `maxSeconds` passes. */
async function timeLoop(
  step: () => Promise<void>,
  o: { warmup: number; minIterations: number; minSeconds: number; maxSeconds: number },
): Promise<Timed> {
  for (let i = 0; i < o.warmup; i++) await step();
  const times: number[] = [];
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
    const elapsed = (performance.now() - start) / 1000;
    if ((times.length >= o.minIterations && elapsed >= o.minSeconds) || elapsed >= o.maxSeconds) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  return { iterations: times.length, seconds, medianMs: sorted[Math.floor(sorted.length / 2)]! };
}

export interface BenchOptions {
  readonly size: number;
  readonly trainBatch: number;
  readonly inferBatches: readonly number[];
  readonly grads: readonly ConvFilterGradImpl[];
  readonly trainSeconds: number;
  readonly inferSeconds: number;
  readonly onResult?: (partial: unknown) => Promise<void>;
}

/**
 * Training throughput of the core trainer's step as `nin train --resize device` runs it (28x28 batches up, resize,
 * forward, softmax cross-entropy, backward in micro-batches where the binding limit needs them, clipping by global
 * norm, SGD momentum with weight decay on weights), on random batches, reading each step's loss as the trainer
 * does; then inference throughput per batch size, waiting for the logits each time. Loading, shuffling and the
 * test passes are not in these figures (the training log has the end-to-end rate).
 */
export async function bench(options: BenchOptions) {
  const info = await registry.activate('webgpu');
  const { size, trainBatch } = options;
  const result = {
    kind: 'nin-webgpu-bench',
    date: new Date().toISOString(),
    environment: environment(),
    webgpu: info,
    model: { parameters: parameterCount(), multiplyAddsPerImage: multiplyAdds(size), size },
    train: [] as Record<string, unknown>[],
    inference: [] as Record<string, unknown>[],
  };
  const maxBinding = Number(info.details.maxStorageBufferBindingSize ?? 0);
  const micro = microBatchFor(trainBatch, size, maxBinding);
  // The recipe run.sh trains with, as far as a step is concerned.
  const recipe = {
    ...D2L_RECIPE,
    inputSize: size,
    batchSize: trainBatch,
    momentum: 0.9,
    weightDecay: 5e-4,
    weightDecayScope: 'weights' as const,
    clipNorm: 5,
  };
  for (const impl of options.grads) {
    useWebgpuConvFilterGrad(impl);
    const params = heParams(2, true) as Map<string, tf.Variable>;
    const optimizer = createOptimizer(recipe, params);
    const batch = {
      images: pattern(trainBatch * FASHION_MNIST_PIXELS, 9, 1, 0.5),
      labels: Array.from({ length: trainBatch }, (_, j) => (j * 7) % 10),
      count: trainBatch,
      inputSize: size,
      resizeOnDevice: true,
    };
    let step = 0;
    let lastLoss = NaN;
    const run = async () => {
      step++;
      const { grads, lossSum } = await localGradients.compute(
        params,
        batch,
        { dropoutSeed: step, distill: null },
        micro < trainBatch ? micro : 0,
      );
      await clipByGlobalNorm(grads, recipe.clipNorm);
      optimizer.apply(params, grads, 0.01, step);
      for (const g of grads.values()) g.dispose();
      lastLoss = lossSum / trainBatch;
    };
    const t = await timeLoop(run, {
      warmup: 2,
      minIterations: 5,
      minSeconds: options.trainSeconds,
      maxSeconds: options.trainSeconds * 3,
    });
    result.train.push({
      convFilterGrad: impl,
      batch: trainBatch,
      microBatch: micro,
      ...t,
      imagesPerSecond: (t.iterations * trainBatch) / t.seconds,
      lastLoss,
      finite: Number.isFinite(lastLoss),
    });
    tf.dispose([...params.values()]);
    optimizer.dispose();
    await options.onResult?.(result);
    console.error(
      `[bench] train ${impl}: ${((t.iterations * trainBatch) / t.seconds).toFixed(1)} img/s (median step ${t.medianMs.toFixed(1)} ms, micro-batch ${micro})`,
    );
  }
  useWebgpuConvFilterGrad('matmul');
  const params = heParams(3, false);
  for (const batch of options.inferBatches) {
    // A batch too large for one storage binding runs in parts, as eval would have to.
    const part = microBatchFor(batch, size, maxBinding);
    const xs = Array.from({ length: Math.ceil(batch / part) }, (_, i) =>
      tf.tensor4d(pattern(part * size * size, 21 + i, 1, 0.5), [part, size, size, 1]),
    );
    const step = async () => {
      const out = tf.tidy(() => tf.concat(xs.map((x) => ninForward(params, x))));
      await out.data();
      out.dispose();
    };
    const t = await timeLoop(step, {
      warmup: 3,
      minIterations: 10,
      minSeconds: options.inferSeconds,
      maxSeconds: options.inferSeconds * 3,
    });
    result.inference.push({ batch, microBatch: part, ...t, imagesPerSecond: (t.iterations * batch) / t.seconds });
    tf.dispose(xs);
    await options.onResult?.(result);
    console.error(
      `[bench] infer batch ${batch}: ${((t.iterations * batch) / t.seconds).toFixed(1)} img/s (median ${t.medianMs.toFixed(2)} ms)`,
    );
  }
  tf.dispose([...params.values()]);
  return result;
}
