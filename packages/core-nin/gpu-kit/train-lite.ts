import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createNodeBackendRegistry } from '../src/node/backends.ts';
import { loadFashionMnist } from '../src/node/fashion-mnist.ts';
import { writeFileAtomic } from '../src/node/atomic-write.ts';
import { readNinWeightsFile, writeNinWeightsFile } from '../src/node/weights-file.ts';
import { trainingCurveSvg } from '../src/node/train/curve.ts';
import { ninForward, seededRandom } from '../src/model/nin.ts';
import { NIN_CONVS, assertInputSize, layerShapes } from '../src/model/architecture.ts';
import { disposeParams, paramsFromStateDict, stateDictFromParams } from '../src/model/params.ts';
import { SgdOptimizer } from '../src/training/sgd.ts';
import { softmaxCrossEntropy } from '../src/training/step.ts';
import { FASHION_MNIST_PIXELS, FASHION_MNIST_SIDE } from '../src/data/preprocess.ts';
import type { LabelledImages } from '../src/data/idx.ts';

/**
 * The kit's small trainer, for a GPU run with minutes to spend: everything of a step stays on the device
 * (the 28x28 bytes go up, the resize to SIZE is done there), the learning-rate schedule is fitted to the time
 * budget (linear warm-up, then cosine to zero at the last step that fits), and a checkpoint (weights with their
 * manifest, the momentum buffers, the log) is written after every epoch and when the budget ends, so a later run
 * resumes exactly where this one stopped.
 *
 * Recipe: d2l's NiN unchanged (dropout 0.5 included), He-normal conv weights (d2l's Xavier starts the twelve
 * conv+ReLU layers with a vanishing signal), SGD with momentum 0.9 and weight decay, batch 128.
 *
 * From the core it takes the model, the loss, the SGD-with-momentum update (training/sgd.ts), the weights files
 * (node/weights-file.ts) and the curve (node/train/curve.ts). What stays here differs on purpose: the device-side
 * resize and micro-batches (GPU-specific), and four pieces that differ from the core's in what they compute, kept
 * so that a resumed H100 run continues the committed one exactly (results/training-224): He-normal init, the
 * per-epoch shuffle's seeding, the schedule (warm-up scaling the cosine, over a budget-fitted horizon) and weight
 * decay on weights only, after clipping.
 */

export interface LiteTrainOptions {
  readonly backend: string;
  readonly size: number;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** gradients are scaled down to this global L2 norm when larger */
  readonly clipNorm: number;
  readonly warmupSteps: number;
  readonly maxMinutes: number;
  readonly limit: number;
  readonly evalLimit: number;
  readonly seed: number;
  readonly out: string;
  readonly resume?: string;
  readonly weightsName: string;
}

interface LogEntry {
  epoch: number;
  step: number;
  seconds: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  imagesPerSecond: number;
  testAccuracy?: number;
  testImages?: number;
}

interface TrainState {
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  /** each run is one warm-up + cosine cycle, from the step it started at to the last step that fits its budget */
  segmentStart: number;
  scheduleSteps: number;
  trainedSeconds: number;
  log: LogEntry[];
}

const STATE_FILE = 'checkpoint-state.json';

/** Bytes of the largest activation one image makes at this input size (float32). */
export function largestActivationBytes(size: number): number {
  return Math.max(...layerShapes(size).map((l) => l.outSize * l.outSize * l.outChannels * 4));
}

/**
 * The largest part of `batch` (halving) whose largest activation fits one storage-buffer binding: WebGPU caps a
 * binding (Dawn on lavapipe: 128 MiB, less than NiN-224's first activation at batch 128), so a larger batch is
 * run as micro-batches whose gradients are summed before the update.
 */
export function microBatchFor(batch: number, size: number, maxBindingBytes: number): number {
  // NIN_KIT_MAX_BINDING_BYTES lowers the limit, to rehearse the split on a small input.
  const rehearse = Number(process.env.NIN_KIT_MAX_BINDING_BYTES);
  if (rehearse > 0) maxBindingBytes = maxBindingBytes ? Math.min(maxBindingBytes, rehearse) : rehearse;
  if (!maxBindingBytes) return batch;
  let m = batch;
  while (m > 1 && m * largestActivationBytes(size) > maxBindingBytes) m = Math.ceil(m / 2);
  return m;
}
const MOMENTUM_FILE = 'checkpoint-momentum.safetensors';

function heNormal(n: number, fanIn: number, random: () => number): Float32Array {
  const std = Math.sqrt(2 / fanIn);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box-Muller from the seeded uniform source
    const u = Math.max(random(), 1e-12);
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * HWIO arrays: He-normal conv weights, PyTorch's default uniform biases. (The core's initialNinWeights is d2l's
 * Xavier-uniform; the core has no He-normal. Same layout, so a later core `initialNinWeights(seed, 'he-normal')`
 * could serve both if it draws in this order: each layer's weights, then its biases.)
 */
function initialWeights(seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const random = seededRandom(seed);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const c of NIN_CONVS) {
    const fanIn = c.inChannels * c.kernel * c.kernel;
    out.set(`${c.name}.weight`, { shape: [c.kernel, c.kernel, c.inChannels, c.outChannels], data: heNormal(fanIn * c.outChannels, fanIn, random) });
    const bound = 1 / Math.sqrt(fanIn);
    out.set(`${c.name}.bias`, { shape: [c.outChannels], data: Float32Array.from({ length: c.outChannels }, () => (random() * 2 - 1) * bound) });
  }
  return out;
}

/** 28x28 bytes of the given rows -> [n, size, size, 1] in [0,1], resized on the device (bilinear, half-pixel centres, as PIL). */
function batchInput(images: Uint8Array, rows: ArrayLike<number>, size: number): tf.Tensor4D {
  const n = rows.length;
  const bytes = new Float32Array(n * FASHION_MNIST_PIXELS);
  for (let i = 0; i < n; i++) bytes.set(images.subarray(rows[i]! * FASHION_MNIST_PIXELS, (rows[i]! + 1) * FASHION_MNIST_PIXELS), i * FASHION_MNIST_PIXELS);
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(bytes, [n, FASHION_MNIST_SIDE, FASHION_MNIST_SIDE, 1]), 255) as tf.Tensor4D;
    return size === FASHION_MNIST_SIDE ? x : tf.image.resizeBilinear(x, [size, size], false, true);
  });
}

/**
 * Fisher-Yates over seededRandom(seed), as the core's epochOrder, but seeded with the kit's own (seed*1000+epoch)
 * rather than epochOrder's hash of (seed, epoch): a resume of the committed H100 run must revisit its order.
 */
function shuffled(count: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Test accuracy of the first `count` images with the resize on the device (the core's evaluateAccuracy resizes on
 * the CPU with preprocessImages, which would dominate a GPU epoch's test pass).
 */
async function accuracy(params: Map<string, tf.Tensor>, data: LabelledImages, count: number, size: number, batch: number): Promise<number> {
  let correct = 0;
  for (let start = 0; start < count; start += batch) {
    const rows = Int32Array.from({ length: Math.min(batch, count - start) }, (_, i) => start + i);
    const hits = tf.tidy(() => {
      const x = batchInput(data.images, rows, size);
      const predicted = tf.argMax(ninForward(params, x), 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(Array.from(rows, (r) => data.labels[r]!), 'int32')), 'int32'));
    });
    correct += (await hits.data())[0]!;
    hits.dispose();
  }
  return correct / count;
}

/**
 * Warm-up scales the cosine (the core's learningRateAt warms up first and starts the cosine after it), and the
 * cosine's horizon is the budget-fitted scheduleSteps rather than every planned step.
 */
function learningRate(o: LiteTrainOptions, step: number, scheduleSteps: number): number {
  const warm = Math.min(1, (step + 1) / Math.max(1, o.warmupSteps));
  const progress = Math.min(1, step / Math.max(1, scheduleSteps));
  return o.lr * warm * 0.5 * (1 + Math.cos(Math.PI * progress));
}

export async function trainLite(o: LiteTrainOptions): Promise<{ state: TrainState; weightsPath: string }> {
  assertInputSize(o.size);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const say = (msg: string) => console.error(`[train ${new Date().toISOString().slice(11, 19)} +${elapsed().toFixed(0)}s] ${msg}`);
  const backend = await createNodeBackendRegistry().activate(o.backend);
  say(`backend ${backend.name} ${JSON.stringify(backend.details)}`);
  const train = await loadFashionMnist('train', { download: false });
  const test = await loadFashionMnist('test', { download: false });
  const trainCount = Math.min(o.limit, train.count);
  const stepsPerEpoch = Math.floor(trainCount / o.batch);
  if (stepsPerEpoch < 1) throw new RangeError(`--limit ${trainCount} gives no full batch of ${o.batch}`);
  await mkdir(o.out, { recursive: true });
  const weightsPath = join(o.out, o.weightsName);

  // Parameters and momentum buffers, fresh or from a checkpoint.
  let state: TrainState = { epoch: 0, stepInEpoch: 0, globalStep: 0, segmentStart: 0, scheduleSteps: 0, trainedSeconds: 0, log: [] };
  const params = o.resume
    ? (paramsFromStateDict((await readNinWeightsFile(join(o.resume, o.weightsName))).stateDict, true) as Map<string, tf.Variable>)
    : new Map([...initialWeights(o.seed)].map(([name, t]) => [name, tf.variable(tf.tensor(t.data, t.shape), true, `p_${name}`)]));
  // Weight decay is applied in makeTrainStep (weights only), so the optimizer's own (every parameter) stays 0.
  const optimizer = new SgdOptimizer(params, o.momentum, 0);
  if (o.resume) {
    if (optimizer.velocity.size > 0) {
      const momentum = paramsFromStateDict((await readNinWeightsFile(join(o.resume, MOMENTUM_FILE))).stateDict);
      optimizer.loadState(new Map([...momentum].map(([name, t]) => [`velocity/${name}`, t.dataSync() as Float32Array])));
      disposeParams(momentum);
    }
    state = JSON.parse(await readFile(join(o.resume, STATE_FILE), 'utf8')) as TrainState;
    // A new cycle: warm up again and decay to zero by the end of this run's budget.
    state.segmentStart = state.globalStep;
    state.scheduleSteps = 0;
    say(`resumed from ${o.resume}: epoch ${state.epoch + 1}, step ${state.stepInEpoch}/${stepsPerEpoch}, ${state.globalStep} steps done`);
  }

  const micro = microBatchFor(o.batch, o.size, Number(backend.details.maxStorageBufferBindingSize ?? 0));
  const recipe = {
    trainer: 'gpu-kit/train-lite.ts',
    init: 'He-normal conv weights, PyTorch default biases',
    optimizer: `SGD momentum ${o.momentum}, weight decay ${o.weightDecay} (weights only), gradients clipped to global norm ${o.clipNorm}`,
    learningRate: `${o.lr} peak, linear warm-up ${o.warmupSteps} steps, cosine to 0 over the steps that fit the time budget (one such cycle per run)`,
    batch: o.batch,
    microBatch: micro,
    epochsPlanned: o.epochs,
    dropout: 0.5,
    preprocessing: `28x28 -> ${o.size} bilinear (half-pixel centres) on the device, /255`,
    seed: o.seed,
    trainImages: trainCount,
  };

  const saveCheckpoint = async (why: string) => {
    const sd = await stateDictFromParams(params);
    const last = state.log.at(-1);
    const description = {
      inputSize: o.size,
      recipe: { ...recipe, stepsDone: state.globalStep, scheduleSteps: state.scheduleSteps, epochsDone: state.epoch + state.stepInEpoch / stepsPerEpoch },
      ...(last?.testAccuracy !== undefined ? { accuracy: { test: last.testAccuracy, train: last.trainAccuracy, evaluatedOn: `first ${last.testImages} test images, ${backend.name}` } } : {}),
      provenance: { backend: backend.name, adapter: String(backend.details.adapter ?? ''), trainedSeconds: Math.round(state.trainedSeconds), date: new Date().toISOString() },
    };
    await writeNinWeightsFile(weightsPath, sd, 'float32', description);
    // (momentum 0: plain SGD keeps no buffers, and a resume needs none)
    if (optimizer.velocity.size > 0) {
      const kind = 'SGD momentum buffers of the weights file beside this one';
      await writeNinWeightsFile(join(o.out, MOMENTUM_FILE), await stateDictFromParams(optimizer.velocity), 'float32', { inputSize: o.size, recipe: { kind } });
    }
    await writeFileAtomic(join(o.out, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    await writeFileAtomic(join(o.out, 'train-log.json'), `${JSON.stringify({ recipe, log: state.log }, null, 2)}\n`);
    say(`checkpoint (${why}): ${weightsPath}`);
  };

  const budgetSeconds = o.maxMinutes * 60;
  // Leave room for the last checkpoint and test pass after the budget's last step.
  const reserveSeconds = Math.min(30, budgetSeconds * 0.1);
  const totalPlanned = o.epochs * stepsPerEpoch;
  if (state.globalStep >= totalPlanned) throw new RangeError(`the checkpoint has done all ${o.epochs} epochs (${totalPlanned} steps): raise --epochs to train on`);
  let window = { loss: 0, correct: 0, images: 0, start: performance.now() };
  let stepSecondsEstimate = 0;
  let stop = false;

  if (micro < o.batch) say(`batch ${o.batch} runs as micro-batches of ${micro} (storage binding limit ${backend.details.maxStorageBufferBindingSize} bytes)`);
  const step = makeTrainStep(params, optimizer, o);
  const evalBatch = Math.min(250, microBatchFor(250, o.size, Number(backend.details.maxStorageBufferBindingSize ?? 0)));

  while (state.epoch < o.epochs && !stop) {
    const order = shuffled(trainCount, o.seed * 1000 + state.epoch);
    while (state.stepInEpoch < stepsPerEpoch) {
      const stepStart = performance.now();
      // Until the step time is known the horizon is every planned step; then it is fitted to the budget.
      const lr = learningRate(o, state.globalStep - state.segmentStart, (state.scheduleSteps || totalPlanned) - state.segmentStart);
      const rows = order.subarray(state.stepInEpoch * o.batch, (state.stepInEpoch + 1) * o.batch);
      const parts: { x: tf.Tensor4D; labels: tf.Tensor1D }[] = [];
      for (let m = 0; m < rows.length; m += micro) {
        const r = rows.subarray(m, m + micro);
        parts.push({ x: batchInput(train.images, r, o.size), labels: tf.tensor1d(Array.from(r, (i) => train.labels[i]!), 'int32') });
      }
      const out = step(parts, lr, o.seed * 7919 + state.globalStep);
      tf.dispose(parts.flatMap((p) => [p.x, p.labels]));
      const [loss, hits] = (await out.data()) as Float32Array;
      out.dispose();
      if (!Number.isFinite(loss!)) throw new Error(`loss is ${loss} at step ${state.globalStep}: training diverged (lower --lr)`);
      state.globalStep++;
      const stepSeconds = (performance.now() - stepStart) / 1000;
      state.trainedSeconds += stepSeconds;
      window.loss += loss! * rows.length;
      window.correct += hits!;
      window.images += rows.length;
      if (state.globalStep === state.segmentStart + 3) window = { loss: 0, correct: 0, images: 0, start: performance.now() };
      // Steps 3..12 (shader compilation done) give the step time that sizes the schedule.
      if (state.scheduleSteps === 0 && window.images >= 10 * o.batch) {
        stepSecondsEstimate = (performance.now() - window.start) / 1000 / (window.images / o.batch);
        // Each epoch end also costs a test pass (forward only, about a third of a step per batch) and a checkpoint.
        const epochOverhead = (Math.min(o.evalLimit, test.count) / o.batch) * (stepSecondsEstimate / 3) + 2;
        const available = budgetSeconds - reserveSeconds - elapsed();
        const fit = state.globalStep + Math.floor(available / (stepSecondsEstimate + epochOverhead / stepsPerEpoch));
        state.scheduleSteps = Math.max(state.globalStep + 1, Math.min(totalPlanned, fit));
        say(`step ${stepSecondsEstimate.toFixed(3)} s: schedule over ${state.scheduleSteps} steps (${(state.scheduleSteps / stepsPerEpoch).toFixed(2)} epochs) of ${totalPlanned} planned`);
      }
      const lastOfEpoch = state.stepInEpoch === stepsPerEpoch - 1;
      const outOfTime = elapsed() + Math.max(stepSeconds, stepSecondsEstimate) > budgetSeconds - reserveSeconds;
      const scheduleDone = state.scheduleSteps > 0 && state.globalStep >= state.scheduleSteps;
      if (state.globalStep % 50 === 0 || lastOfEpoch || outOfTime || scheduleDone) {
        const seconds = (performance.now() - window.start) / 1000;
        const entry: LogEntry = {
          epoch: state.epoch + (state.stepInEpoch + 1) / stepsPerEpoch,
          step: state.globalStep,
          seconds: Math.round(elapsed()),
          lr,
          trainLoss: window.loss / Math.max(1, window.images),
          trainAccuracy: window.correct / Math.max(1, window.images),
          imagesPerSecond: window.images / Math.max(seconds, 1e-9),
        };
        if (lastOfEpoch || outOfTime || scheduleDone) {
          entry.testImages = Math.min(o.evalLimit, test.count);
          entry.testAccuracy = await accuracy(params, test, entry.testImages, o.size, evalBatch);
        }
        state.log.push(entry);
        say(
          `epoch ${entry.epoch.toFixed(2)} step ${entry.step} lr ${lr.toFixed(4)} loss ${entry.trainLoss.toFixed(4)} acc ${entry.trainAccuracy.toFixed(4)} ` +
            `${entry.imagesPerSecond.toFixed(0)} img/s${entry.testAccuracy !== undefined ? ` test(${entry.testImages}) ${entry.testAccuracy.toFixed(4)}` : ''}`,
        );
        window = { loss: 0, correct: 0, images: 0, start: performance.now() };
      }
      if (outOfTime || scheduleDone) {
        state.stepInEpoch++;
        if (state.stepInEpoch === stepsPerEpoch) {
          state.epoch++;
          state.stepInEpoch = 0;
        }
        await saveCheckpoint(scheduleDone ? 'schedule done' : 'time budget');
        stop = true;
        break;
      }
      state.stepInEpoch++;
      if (lastOfEpoch) {
        // Saved as "epoch done": a resume starts the next epoch.
        state.epoch++;
        state.stepInEpoch = 0;
        await saveCheckpoint(`epoch ${state.epoch}`);
        if (state.epoch >= o.epochs) stop = true;
        break;
      }
    }
  }
  await writeFileAtomic(join(o.out, 'train-curve.svg'), await trainingCurveSvg(state.log.map(curvePoint), 'NiN on Fashion-MNIST, trained with tfjs-backend-webgpu (gpu-kit/train-lite.ts)'));
  disposeParams(params);
  optimizer.dispose();
  return { state, weightsPath };
}

/** A log entry as a point of the core's training curve (an epoch record; the kit logs within epochs too). */
function curvePoint(e: LogEntry) {
  return {
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    trainAccuracy: e.trainAccuracy,
    testAccuracy: e.testAccuracy ?? null,
    testPerClass: null,
    learningRate: e.lr,
    trainSeconds: e.seconds,
    imagesPerSecond: e.imagesPerSecond,
  };
}

/**
 * One SGD-with-momentum step over a batch given as micro-batches: the loss of each part is weighted by its share
 * of the batch, so the summed gradients are the whole batch's mean-loss gradient. Returns [mean loss, correct].
 * The gradients are clipped, the weights' (not the biases') L2 term added, and `optimizer` (its weight decay 0)
 * applies the momentum update.
 */
export function makeTrainStep(
  params: ReadonlyMap<string, tf.Variable>,
  optimizer: SgdOptimizer,
  o: Pick<LiteTrainOptions, 'weightDecay' | 'clipNorm'>,
): (parts: readonly { x: tf.Tensor4D; labels: tf.Tensor1D }[], lr: number, dropoutSeed: number) => tf.Tensor1D {
  const names = [...params.keys()];
  const vars = names.map((n) => params.get(n)!);
  return (parts, lr, dropoutSeed) =>
    tf.tidy(() => {
      const total = parts.reduce((n, p) => n + p.labels.shape[0], 0);
      let sums: tf.Tensor[] | null = null;
      let lossSum: tf.Tensor = tf.scalar(0);
      let hits: tf.Tensor = tf.scalar(0);
      parts.forEach((part, i) => {
        let logits: tf.Tensor2D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          // Kept past variableGrads' own scope for the accuracy below; disposed right after.
          logits = tf.keep(ninForward(params, part.x, { training: true, dropoutSeed: dropoutSeed * 64 + i }));
          return tf.mul(softmaxCrossEntropy(logits, part.labels), part.labels.shape[0] / total) as tf.Scalar;
        }, vars);
        const g = names.map((n) => grads[params.get(n)!.name]!);
        sums = sums ? sums.map((s, k) => tf.add(s, g[k]!)) : g;
        lossSum = tf.add(lossSum, value);
        hits = tf.add(hits, tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), part.labels), 'float32')));
        (logits as tf.Tensor2D | null)?.dispose();
      });
      const grads = sums!;
      // Clip by global norm: one bad batch early on cannot throw a net without normalisation layers off.
      // (pairwise adds: webgpu's AddN binds every input at once, over the 8 storage buffers a shader may have)
      const norm = tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
      const clip = tf.minimum(1, tf.div(o.clipNorm, tf.maximum(norm, 1e-6)));
      // The core's SgdOptimizer decays every parameter, as torch.optim.SGD; this recipe decays weights only.
      const update = new Map(
        names.map((name, k) => {
          const g = tf.mul(grads[k]!, clip);
          return [name, o.weightDecay > 0 && name.endsWith('.weight') ? tf.add(g, tf.mul(params.get(name)!, o.weightDecay)) : g];
        }),
      );
      optimizer.apply(params, update, lr);
      return tf.stack([lossSum, hits]) as tf.Tensor1D;
    });
}
