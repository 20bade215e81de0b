import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type {
  Batch,
  CreateRunner,
  EngineFacts,
  InferResult,
  LoadedModel,
  MeasuredInit,
  MeasuredMemory,
  Runner,
} from '../runners/runner.ts';
import { summarizeTask, type LatencySummary } from '../stats/summary.ts';
import type { ChildMessage, ChildPlan, ChildTask, ScenarioName, TimedLoop } from './protocol.ts';
import { wasmHeapBytes } from './wasm-memory.ts';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else {
      // Run by hand (no IPC channel): one JSON line per message, for debugging a runner.
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    }
  });
}

/** Exits once every message has been flushed; engines with worker threads would otherwise keep the process up. */
async function finish(code: number): Promise<never> {
  await send({ type: 'done' });
  process.exit(code);
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

function isUnavailable(e: unknown): e is { reason: string } {
  return (
    e instanceof Error && e.name === 'BackendUnavailableError' && typeof (e as { reason?: unknown }).reason === 'string'
  );
}

/** Bytes of one 28x28 Fashion-MNIST image. */
const PIXELS = 28 * 28;

/**
 * Batches of the test slice. The first images come preprocessed by the parent, so that nothing loads the core
 * (and with it tfjs) in this process before the engine's own init is timed; the agreement slice is
 * preprocessed here, with the core's preprocessImages, after the cold start.
 */
class BatchMaker {
  readonly #cache = new Map<number, Batch>();
  readonly #side: number;
  constructor(
    private readonly images: Uint8Array,
    private readonly count: number,
    private readonly inputs: Float32Array,
    private readonly inputCount: number,
    size: number,
  ) {
    this.#side = size * size;
  }

  /** The first `n` images (repeated when there are fewer), as both raw bytes and model input. */
  first(n: number): Batch {
    let batch = this.#cache.get(n);
    if (!batch) {
      const raw = new Uint8Array(n * PIXELS);
      const input = new Float32Array(n * this.#side);
      for (let i = 0; i < n; i++) {
        const r = i % this.count;
        const p = i % this.inputCount;
        raw.set(this.images.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
        input.set(this.inputs.subarray(p * this.#side, (p + 1) * this.#side), i * this.#side);
      }
      batch = { n, images: raw, input };
      this.#cache.set(n, batch);
    }
    return batch;
  }

  async range(start: number, end: number): Promise<Batch> {
    const { preprocessImages } = await import('@nin-bench/core-nin/data');
    const raw = this.images.subarray(start * PIXELS, end * PIXELS);
    return { n: end - start, images: raw, input: preprocessImages(raw, Math.sqrt(this.#side)) };
  }
}

/** Calls infer once and says how long it took: the runner's own figure when it timed the call (a browser page). */
async function timedInfer(model: LoadedModel, batch: Batch): Promise<{ logits: Float32Array; ms: number }> {
  const t0 = performance.now();
  const result: InferResult = await model.infer(batch);
  const clockMs = performance.now() - t0;
  return result instanceof Float32Array
    ? { logits: result, ms: clockMs }
    : { logits: result.logits, ms: result.durationMs };
}

/** Seconds with two significant figures: 0.15 s, 3.2 s, 93 s, 120 s. */
const seconds = (ms: number): string => `${Number((ms / 1000).toPrecision(2))} s`;

/** Times `infer` on one batch with tinybench: warm-up calls first (not counted), then the budgeted loop. */
async function timeBatch(
  model: LoadedModel,
  batch: Batch,
  loop: TimedLoop,
  warmupIterations: number,
  warmupTimeMs = 0,
): Promise<LatencySummary> {
  let sink = 0;
  const bench = new Bench({
    time: loop.timeMs,
    iterations: loop.minIterations,
    warmup: warmupIterations > 0,
    warmupTime: warmupTimeMs,
    warmupIterations,
    retainSamples: true,
    throws: true,
  });
  bench.add(
    `batch ${batch.n}`,
    async () => {
      const t0 = performance.now();
      const result = await model.infer(batch);
      if (result instanceof Float32Array) {
        sink += result[0]; // keep the result observable
        return undefined;
      }
      // Timed where the engine runs (a browser page): that figure, not the round trip to it, is the sample.
      sink += result.logits[0];
      return { overriddenDuration: result.durationMs, overriddenIterationCost: performance.now() - t0 };
    },
    { async: true },
  );
  await bench.run();
  if (Number.isNaN(sink)) throw new Error('the engine returned NaN logits');
  return summarizeTask(bench.tasks[0]);
}

async function measureOffline(
  model: LoadedModel,
  runner: Runner,
  batches: BatchMaker,
  plan: ChildPlan['offline'],
  knownPerImageMs: number | undefined,
): Promise<void> {
  // The fastest per-image time seen so far: a batch size that would clearly exceed the per-call limit is
  // skipped without spending minutes to find out (tfjs cpu at 224 px: ~3 s per image).
  let perImageMs = knownPerImageMs;
  let estimatedFrom = knownPerImageMs === undefined ? '' : 'batch 1 latency';
  for (const b of plan.batches) {
    await send({ type: 'progress', scenario: 'offline', detail: `batch ${b}` });
    if (runner.maxBatch !== undefined && b > runner.maxBatch) {
      await send({
        type: 'offline',
        point: { batch: b, skipped: `this runner takes at most ${runner.maxBatch} image(s) per call` },
      });
      continue;
    }
    const limit = `this profile's ${seconds(plan.maxCallMs)} limit per call`;
    if (perImageMs !== undefined && perImageMs * b > plan.maxCallMs) {
      const reason = `one call would take about ${seconds(perImageMs * b)} (estimated from ${estimatedFrom}), over ${limit}`;
      await send({ type: 'offline', point: { batch: b, skipped: reason } });
      continue;
    }
    const batch = batches.first(b);
    try {
      // One untimed warm-up call per batch size (shapes change: kernels may be picked or compiled anew); its
      // duration also tells whether the batch size fits the profile.
      const warmupMs = (await timedInfer(model, batch)).ms;
      if (perImageMs === undefined || warmupMs / b < perImageMs) {
        perImageMs = warmupMs / b;
        estimatedFrom = `the warm-up call at batch ${b}`;
      }
      if (warmupMs > plan.maxCallMs) {
        const reason = `one call takes ${seconds(warmupMs)}, over ${limit}`;
        await send({ type: 'offline', point: { batch: b, skipped: reason, warmupMs } });
        continue;
      }
      const latency = await timeBatch(model, batch, plan, 0);
      await send({ type: 'offline', point: { batch: b, latency, warmupMs } });
    } catch (e) {
      await send({ type: 'error', scenario: 'offline', message: `batch ${b}: ${errorMessage(e)}` });
    }
  }
}

async function measureAgreement(
  model: LoadedModel,
  runner: Runner,
  batches: BatchMaker,
  count: number,
  plan: ChildPlan['agreement'],
): Promise<void> {
  const total = Math.min(plan.images, count);
  const step = Math.max(1, Math.min(plan.batch, runner.maxBatch ?? Infinity));
  const logits: number[] = [];
  const t0 = performance.now();
  let done = 0;
  while (done < total) {
    const end = Math.min(done + step, total);
    await send({ type: 'progress', scenario: 'agreement', detail: `${done}/${total} images` });
    const { logits: out } = await timedInfer(model, await batches.range(done, end));
    for (let i = 0; i < out.length; i++) logits.push(out[i]);
    done = end;
    if (plan.timeMs !== undefined && performance.now() - t0 > plan.timeMs && done >= (plan.minImages ?? 1)) break;
  }
  await send({ type: 'agreement', images: done, logits });
}

/** Runs one runner through the planned scenarios, reporting each result to the parent as it comes. */
export async function runChild(taskJson: string, start: { processMs: number; startRssBytes: number }): Promise<void> {
  let task: ChildTask;
  try {
    task = JSON.parse(taskJson) as ChildTask;
  } catch (e) {
    await send({ type: 'error', scenario: 'init', message: `bad task JSON: ${errorMessage(e)}` });
    return finish(2);
  }
  const { plan } = task;
  const wants = (s: ScenarioName) => plan.scenarios.includes(s);

  const harnessStart = performance.now();
  const images = new Uint8Array(await readFile(task.data.imagesPath));
  const inputBytes = await readFile(task.data.inputsPath);
  const inputs = new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4);
  const batches = new BatchMaker(images, task.data.count, inputs, task.data.inputCount, task.runner.size);
  const one = batches.first(1);
  const harnessDataMs = performance.now() - harnessStart;

  await send({ type: 'progress', scenario: 'cold-start', detail: 'init' });
  const t0 = performance.now();
  let runner: Runner;
  let facts: EngineFacts;
  let measuredInit: MeasuredInit | undefined;
  try {
    const mod = (await import(pathToFileURL(task.runnerModule).href)) as { createRunner?: CreateRunner };
    if (typeof mod.createRunner !== 'function') throw new Error(`${task.runnerModule} does not export createRunner`);
    runner = mod.createRunner(task.runner);
    const { measured, ...engineFacts } = await runner.init();
    facts = engineFacts;
    measuredInit = measured;
    await send({ type: 'facts', facts });
  } catch (e) {
    if (isUnavailable(e)) await send({ type: 'unavailable', reason: e.reason });
    else await send({ type: 'error', scenario: 'init', message: errorMessage(e) });
    return finish(0);
  }
  const t1 = performance.now();
  await send({ type: 'progress', scenario: 'cold-start', detail: 'load' });
  let model: LoadedModel;
  try {
    model = await runner.load();
  } catch (e) {
    if (isUnavailable(e)) await send({ type: 'unavailable', reason: e.reason });
    else await send({ type: 'error', scenario: 'load', message: errorMessage(e) });
    return finish(0);
  }
  const t2 = performance.now();
  if (model.details)
    await send({ type: 'facts', facts: { ...facts, details: { ...facts.details, ...model.details } } });
  await send({ type: 'progress', scenario: 'cold-start', detail: 'first inference' });
  let firstInferenceMs: number;
  try {
    firstInferenceMs = (await timedInfer(model, one)).ms;
  } catch (e) {
    await send({ type: 'error', scenario: 'cold-start', message: `first inference: ${errorMessage(e)}` });
    return finish(0);
  }
  // A runner whose engine runs elsewhere (a browser page) timed its phases there.
  const initMs = measuredInit?.initMs ?? t1 - t0;
  const loadMs = model.loadMs ?? t2 - t1;
  // The harness's data preparation happened between process start and init; it is not the engine's cost.
  const processMs = measuredInit?.startMs ?? start.processMs;
  await send({
    type: 'cold-start',
    coldStart: {
      processMs,
      initMs,
      loadMs,
      firstInferenceMs,
      totalMs: processMs + initMs + loadMs + firstInferenceMs,
      harnessDataMs,
    },
  });

  let batchOneMs: number | undefined;
  if (wants('single-stream')) {
    await send({ type: 'progress', scenario: 'single-stream' });
    try {
      const latency = await timeBatch(
        model,
        one,
        plan.singleStream,
        plan.singleStream.warmupIterations,
        plan.singleStream.warmupTimeMs,
      );
      batchOneMs = latency.min;
      await send({ type: 'single-stream', latency });
    } catch (e) {
      await send({ type: 'error', scenario: 'single-stream', message: errorMessage(e) });
    }
  }
  if (wants('offline')) await measureOffline(model, runner, batches, plan.offline, batchOneMs);
  if (wants('agreement')) {
    try {
      await measureAgreement(model, runner, batches, task.data.count, plan.agreement);
    } catch (e) {
      await send({ type: 'error', scenario: 'agreement', message: errorMessage(e) });
    }
  }
  if (wants('extras') && model.extraMeasurements) {
    await send({ type: 'progress', scenario: 'extras' });
    try {
      const testImages = { images, count: task.data.count };
      await send({
        type: 'extras',
        extras: await model.extraMeasurements({
          sample: one,
          budget: plan.singleStream,
          testImages,
          soakRequests: plan.soakRequests ?? 1000,
        }),
      });
    } catch (e) {
      await send({ type: 'error', scenario: 'extras', message: errorMessage(e) });
    }
  }
  // Memory is always read: it costs nothing and describes whatever ran. A runner whose engine runs elsewhere (a
  // browser page) reads it there; what it cannot read stays this process's.
  let measured: MeasuredMemory = {};
  try {
    if (model.memory) measured = await model.memory();
  } catch (e) {
    await send({ type: 'error', scenario: 'memory', message: errorMessage(e) });
  }
  const cpu = process.cpuUsage();
  await send({
    type: 'memory',
    memory: {
      peakRssBytes: measured.peakRssBytes ?? process.resourceUsage().maxRSS * 1024,
      startRssBytes: measured.startRssBytes ?? start.startRssBytes,
      wasmHeapBytes: measured.wasmHeapBytes !== undefined ? measured.wasmHeapBytes : wasmHeapBytes(),
      jsHeapUsedBytes: measured.jsHeapUsedBytes ?? process.memoryUsage().heapUsed,
      cpuMs: (cpu.user + cpu.system) / 1000 + (measured.extraCpuMs ?? 0),
    },
  });
  return finish(0);
}
