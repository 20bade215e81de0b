import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  DEFAULT_INPUT_SIZE,
  FASHION_MNIST_PIXELS,
  multiplyAdds,
  parameterCount,
  preprocessImages,
  type LabelledImages,
} from '@nin-bench/core-nin';
import type { ChildPlan, ChildTask, ScenarioName } from './child/protocol.ts';
import { runChildProcess, warmTranspileCache } from './child/spawn.ts';
import { REFERENCE_BACKEND, runnerPath, type CatalogEntry } from './plan/catalog.ts';
import type { Profile } from './plan/profiles.ts';
import type { Progress } from './progress.ts';
import { PHASE_START, formatRow, plannedMs } from './row-progress.ts';
import { assembleRun } from './results/assemble.ts';
import { mergeRounds, mergeSingleStreamRounds, roundOrder } from './results/rounds.ts';
import { busyProcesses, loadAverage, machineBusyMs, machineInfo, packageVersions } from './results/machine.ts';
import { measureNodeWasmPeak } from './results/wasm-peak.ts';
import {
  RESULTS_FORMAT,
  type BackendRun,
  type BenchResults,
  type Int8ModelInfo,
  type ModelInfo,
  type SizeWeightsInfo,
  type WasmPeakRecord,
} from './results/schema.ts';
import { int8ModelSource, type Int8Format, type Int8ModelSource } from './int8-model.ts';
import { modelFiles } from './model-files.ts';
import { readWeightsFile, sizeWeightsSource, type WeightsFile } from './size-weights.ts';

export interface BenchRequest {
  readonly profile: Profile;
  readonly entries: readonly CatalogEntry[];
  readonly scenarios: readonly ScenarioName[];
  /** input sizes; default: the trained size, then the profile's extra sizes */
  readonly sizes?: readonly number[];
  readonly weightsPath: string;
  /** the Fashion-MNIST test set (the first images are the fixed slice) */
  readonly testSet: LabelledImages;
  readonly childTimeoutMs?: number;
  readonly command: string;
  readonly progress: Progress;
  /**
   * run the whole plan this many times (default 1), each round in a new random order drawn from `seed`
   * (default 1); each row then carries its median round and every round's figures (results/rounds.ts)
   */
  readonly rounds?: number;
  readonly seed?: number;
  /** called with the results so far after every row, so that an interrupted run keeps what it measured */
  readonly checkpoint?: (partial: BenchResults) => Promise<void>;
  /**
   * the int8 model of a size and format, for int8 rows (default: the committed `nin export-onnx --int8` or `nin
   * export-tflite --int8` file of the weights run at that size, else calibrated now)
   */
  readonly int8Model?: Int8ModelSource;
}

/**
 * Runs every selected backend at every size, each in its own child process, one after another (never two at
 * once: they would share the cores). The reference (tfjs cpu) runs first at each size: its logits are what
 * the others are compared with, and the number of images it managed in its time budget is the slice everyone
 * classifies.
 */
export async function runBench(req: BenchRequest): Promise<BenchResults> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  const busy = await busyProcesses();
  const { profile, progress } = req;

  // The bench's weights describe the run (model, trained size); each size runs the weights trained for it when
  // there are some beside them (size-weights.ts), and the int8 model made from those.
  const weightsAt = sizeWeightsSource(req.weightsPath);
  const shown = (path: string) => (path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path);
  const main = await readWeightsFile(req.weightsPath);
  const { manifest } = main;
  const trainedSize = manifest?.inputSize ?? DEFAULT_INPUT_SIZE;
  const sizes = [...new Set(req.sizes?.length ? req.sizes : [trainedSize, ...profile.extraSizes])];
  /** the int8 models prepared, by format and size: the report gives each int8 row its own model's accuracy */
  const int8Models: Record<Int8Format, Record<string, Int8ModelInfo>> = { 'onnx-int8': {}, 'tflite-int8': {} };
  const int8Sources = new Map<string, Int8ModelSource>();
  const int8Model: Int8ModelSource =
    req.int8Model ??
    (async (size, format) => {
      const w = await weightsAt(size);
      let source = int8Sources.get(w.path);
      if (!source) {
        source = int8ModelSource(w.path, w.stateDict, w.manifest);
        int8Sources.set(w.path, source);
      }
      return source(size, format);
    });
  const weightsBySize: Record<string, SizeWeightsInfo> = {};
  for (const size of sizes) {
    const w = await weightsAt(size);
    weightsBySize[String(size)] = {
      weightsFile: shown(w.path),
      sha256: w.sha256,
      trainedInputSize: w.manifest?.inputSize ?? null,
      manifestTestAccuracy: w.manifest?.accuracy?.test ?? null,
    };
  }
  const baseModel: ModelInfo = {
    weightsFile: shown(req.weightsPath),
    sha256: main.sha256,
    trainedInputSize: manifest?.inputSize ?? null,
    storage: manifest?.storage ?? null,
    parameterCount: parameterCount(),
    manifestTestAccuracy: manifest?.accuracy?.test ?? null,
    multiplyAdds: Object.fromEntries(sizes.map((s) => [String(s), multiplyAdds(s)])),
    weightsBySize,
  };
  const model = (): ModelInfo => {
    const onnx = int8Models['onnx-int8'];
    const tflite = int8Models['tflite-int8'];
    return {
      ...baseModel,
      ...(Object.keys(onnx).length ? { int8: { ...onnx } } : {}),
      ...(Object.keys(tflite).length ? { int8Tflite: { ...tflite } } : {}),
    };
  };

  const maxBatch = Math.max(...profile.offline.batches);
  const sliceCount = Math.min(req.testSet.count, Math.max(profile.agreement.images, maxBatch));
  const labels = req.testSet.labels.subarray(0, sliceCount);
  const work = await mkdtemp(join(tmpdir(), 'nin-bench-'));
  try {
    const imagesPath = join(work, 'test-images.bin');
    const labelsPath = join(work, 'test-labels.bin');
    await writeFile(imagesPath, req.testSet.images.subarray(0, sliceCount * FASHION_MNIST_PIXELS));
    await writeFile(labelsPath, labels);

    const steps = sizes.flatMap((size) =>
      req.entries.map((entry) => ({
        size,
        entry,
        planned: entry.unavailable ? 0 : plannedMs(profile, req.scenarios, entry.id === REFERENCE_BACKEND),
      })),
    );
    const rounds = req.rounds ?? 1;
    const seed = req.seed ?? 1;
    const extraRounds = rounds === 1 && req.scenarios.includes('single-stream') ? profile.singleStreamRounds - 1 : 0;
    /** planned time of one further single-stream round of a row: start-up, warm-up and the loop */
    const SINGLE_STREAM_ROUND_MS = 3000 + profile.singleStream.warmupTimeMs + profile.singleStream.timeMs;
    const total =
      rounds * steps.reduce((a, s) => a + s.planned, 0) +
      extraRounds * steps.filter((s) => s.planned > 0 && !s.entry.remote).length * SINGLE_STREAM_ROUND_MS;
    progress.start(total);
    progress.update(0, 'preparing', 'warming the TypeScript transpile cache');
    await warmTranspileCache();
    // How far the wasm rows are from this machine's WebAssembly limit: the peak probe, once, before any row.
    let wasmPeak: WasmPeakRecord | undefined;
    if (req.entries.some((e) => !e.unavailable && e.wasmArithmetic)) {
      progress.update(0, 'preparing', 'the WebAssembly peak probe (Node, one thread)');
      try {
        wasmPeak = await measureNodeWasmPeak();
        progress.note(
          `  WebAssembly peak (${wasmPeak.runtime}, one thread): float32 ${wasmPeak.float32Gflops.toPrecision(3)} GFLOP/s (${wasmPeak.float32Kernel}), int8 ${wasmPeak.int8Gops.toPrecision(3)} GOP/s (${wasmPeak.int8Kernel})`,
        );
      } catch (e) {
        progress.note(`  WebAssembly peak probe failed: ${(e as Error).message.split('\n', 1)[0]}`);
      }
    }
    let done = 0;
    const prepareModel = modelFiles({
      folder: work,
      int8Model,
      note: (line) => progress.note(line),
      preparing: (where, what) => progress.update(done, where, what),
      prepared: (format, size, info) => {
        int8Models[format][String(size)] = info;
      },
    });
    const inputsWritten = new Set<number>();
    // Enough preprocessed images for the largest timed batch; bigger batches repeat them.
    const inputCount = Math.min(sliceCount, maxBatch);
    /** each row's runs, one per round, with its place in that round's order */
    const collected = new Map<string, { run: BackendRun; position: number }[]>();
    const rowKey = (size: number, entry: CatalogEntry) => `${size}\u0000${entry.id}`;
    const versions = packageVersions();
    /** The results as they stand: the final ones at the end, a checkpoint after every row. */
    const snapshot = async (): Promise<BenchResults> => ({
      format: RESULTS_FORMAT,
      createdAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      command: req.command,
      machine: await machineInfo(loadAtStart, loadAverage(), busy),
      versions,
      model: model(),
      settings: {
        profile: profile.name,
        sizes,
        scenarios: req.scenarios,
        singleStream: profile.singleStream,
        offline: profile.offline,
        agreement: {
          images: profile.agreement.images,
          batch: profile.agreement.batch,
          referenceTimeMs: profile.agreement.referenceTimeMs,
          reference: REFERENCE_BACKEND,
        },
        childTimeoutMs: req.childTimeoutMs ?? profile.childTimeoutMs,
        dataset: `Fashion-MNIST test set, first ${sliceCount} images`,
        ...(rounds > 1 ? { rounds: { count: rounds, seed } } : {}),
        ...(extraRounds > 0 ? { singleStreamRounds: { count: extraRounds + 1, seed } } : {}),
      },
      // the plan's order, whatever order the rounds ran in
      runs: steps.flatMap(({ size, entry }) => {
        const runs = collected.get(rowKey(size, entry));
        if (!runs) return [];
        return [rounds === 1 && runs.length > 1 ? mergeSingleStreamRounds(runs) : mergeRounds(runs)];
      }),
      ...(wasmPeak ? { wasmPeak } : {}),
    });
    let position = 0;
    const finishRow = async (run: BackendRun, entry: CatalogEntry, round: number, of = rounds) => {
      const key = rowKey(run.size, entry);
      collected.set(key, [...(collected.get(key) ?? []), { run, position: ++position }]);
      progress.note(`${formatRow(run)}${of > 1 ? ` (round ${round + 1}/${of})` : ''}`);
      if (req.checkpoint) await req.checkpoint(await snapshot());
    };
    /**
     * Measures one row in a fresh child: the model its entry declares, the profile's loops for `scenarios`, the
     * agreement against the reference's logits (null for the reference itself) on the images it reached.
     */
    const measureRow = async (
      size: number,
      entry: CatalogEntry,
      planned: number,
      scenarios: readonly ScenarioName[],
      reference: { readonly logits: number[] | null; readonly images: number } | null,
    ): Promise<{ run: BackendRun; logits: number[] | null | undefined }> => {
      const isReference = reference === null;
      const referenceLogits = reference?.logits ?? null;
      const agreementImages = reference?.images ?? profile.agreement.images;
      const weights: WeightsFile = await weightsAt(size);
      const modelPath = await prepareModel(entry.model, size, weights, `${entry.label} @${size}px`);
      const plan: ChildPlan = {
        scenarios,
        soakRequests: profile.soakRequests,
        singleStream: profile.singleStream,
        offline: profile.offline,
        agreement: isReference
          ? {
              images: profile.agreement.images,
              batch: profile.agreement.batch,
              timeMs: profile.agreement.referenceTimeMs,
              minImages: profile.agreement.minImages,
            }
          : // the others classify the reference's images, but a software GPU (seconds per image) stops at its own budget
            {
              images: agreementImages,
              batch: profile.agreement.batch,
              timeMs: profile.agreement.othersTimeMs,
              minImages: profile.agreement.minImages,
            },
      };
      const inputsPath = join(work, `inputs-${size}.f32`);
      if (!inputsWritten.has(size)) {
        const input = preprocessImages(req.testSet.images.subarray(0, inputCount * FASHION_MNIST_PIXELS), size);
        await writeFile(inputsPath, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
        inputsWritten.add(size);
      }
      const task: ChildTask = {
        runnerModule: runnerPath(entry),
        runner: {
          size,
          weightsPath: weights.path,
          model: entry.model,
          modelPath,
          options: entry.options,
        },
        plan,
        data: { imagesPath, labelsPath, count: sliceCount, inputsPath, inputCount },
      };
      const where = `${entry.label} @${size}px`;
      let offlineDone = 0;
      const busyBefore = await machineBusyMs();
      const parentCpuBefore = process.cpuUsage();
      const outcome = await runChildProcess(task, {
        timeoutMs: req.childTimeoutMs ?? profile.childTimeoutMs,
        onMessage(m) {
          if (m.type !== 'progress') return;
          let share = PHASE_START[m.scenario];
          if (m.scenario === 'offline')
            share += (PHASE_START.agreement - PHASE_START.offline) * (offlineDone++ / profile.offline.batches.length);
          progress.update(done + planned * share, where, `${m.scenario}${m.detail ? ` ${m.detail}` : ''}`);
        },
      });
      done += planned;
      const busyAfter = await machineBusyMs();
      const parentCpu = process.cpuUsage(parentCpuBefore);
      const assembled = assembleRun(entry, outcome, {
        size,
        multiplyAdds: multiplyAdds(size),
        labels,
        referenceLogits: isReference ? null : referenceLogits,
      });
      const { logits } = assembled;
      let { run } = assembled;
      const childCpuMs = run.memory?.cpuMs;
      if (busyBefore !== null && busyAfter !== null && childCpuMs !== undefined && outcome.wallMs > 0) {
        const otherMs = busyAfter - busyBefore - childCpuMs - (parentCpu.user + parentCpu.system) / 1000;
        run = { ...run, otherCores: Math.max(0, Math.round((otherMs / outcome.wallMs) * 100) / 100) };
      }
      return { run, logits };
    };
    // One round: the plan's own order. Several: each round in a new seeded random order (the reference first at each size).
    const order = (round: number) =>
      rounds === 1
        ? sizes.map((size) => ({ size, rows: steps.filter((s) => s.size === size) }))
        : roundOrder(
            sizes,
            (size) => steps.filter((s) => s.size === size),
            (s) => s.entry.id === REFERENCE_BACKEND,
            seed,
            round,
          );
    for (let round = 0; round < rounds; round++) {
      position = 0;
      for (const { size, rows } of order(round)) {
        // Each size starts with its own reference (tfjs cpu is first in the catalog).
        let referenceLogits: number[] | null = null;
        let agreementImages = profile.agreement.images;
        for (const { entry, planned } of rows) {
          if (entry.unavailable) {
            if (round > 0) continue; // nothing to measure again
            await finishRow(
              {
                backend: entry.id,
                label: entry.label,
                engine: entry.engine,
                ...(entry.remote ? { remote: true } : {}),
                ...(entry.browser ? { browser: true } : {}),
                size,
                status: 'unavailable',
                reason: entry.unavailable,
              },
              entry,
              round,
            );
            continue;
          }
          const isReference = entry.id === REFERENCE_BACKEND;
          const { run, logits } = await measureRow(
            size,
            entry,
            planned,
            req.scenarios,
            isReference ? null : { logits: referenceLogits, images: agreementImages },
          );
          if (isReference && logits) {
            referenceLogits = logits;
            agreementImages = run.agreement?.images ?? agreementImages;
          }
          await finishRow(run, entry, round);
        }
      }
    }
    // Further single-stream rounds (the profile's singleStreamRounds; not with --rounds, which reruns everything).
    // A row takes them when its first round measured single images, it is not an edge build (a Worker's restart
    // costs more than its loop) and its minimum calls fit in the loop's time (tfjs cpu at 224 px: seconds an image,
    // its 10 calls already span the machine's drift).
    const singleStreamAgain = (entry: CatalogEntry, size: number) => {
      const first = collected.get(rowKey(size, entry))?.[0]?.run;
      const p50 = first?.singleStream?.p50;
      return (
        !entry.remote && p50 !== undefined && p50 * profile.singleStream.minIterations <= profile.singleStream.timeMs
      );
    };
    for (let round = 1; round <= extraRounds; round++) {
      position = 0;
      const again = (size: number) => steps.filter((s) => s.size === size && singleStreamAgain(s.entry, s.size));
      for (const { size, rows } of roundOrder(sizes, again, () => false, seed, round)) {
        for (const { entry } of rows) {
          const { run } = await measureRow(size, entry, SINGLE_STREAM_ROUND_MS, ['single-stream'], {
            logits: null,
            images: 0,
          });
          await finishRow(run, entry, round, extraRounds + 1);
        }
      }
    }
    progress.stop();
    return await snapshot();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
