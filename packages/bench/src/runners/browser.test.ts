// The browser rows end to end: the bench's orchestrator runs a row in a page in the system's headless Chromium,
// and a browser that cannot start, or a page whose engine cannot come up, becomes an unavailable row with the
// reason, quickly. The rows that need Chromium skip (saying so) where there is none.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumUnavailable } from '@nin-bench/node-tools/chromium';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { writeTinyModel } from '../../test/fixtures/tiny-model.ts';
import { runBench } from '../orchestrate.ts';
import type { ChildMessage, ChildTask } from '../child/protocol.ts';
import { runChildProcess } from '../child/spawn.ts';
import { createCatalog, runnerPath, selectEntries, type CatalogEntry } from '../plan/catalog.ts';
import { PROFILES } from '../plan/profiles.ts';
import { silentProgress } from '../progress.ts';
import { createRunner } from './browser.ts';

let model: Awaited<ReturnType<typeof writeTinyModel>>;
beforeAll(async () => {
  model = await writeTinyModel();
});
afterAll(async () => {
  await rm(model.dir, { recursive: true, force: true });
});

const catalog = createCatalog();
const run = async (entries: CatalogEntry[]) =>
  runBench({
    profile: PROFILES.smoke,
    entries,
    scenarios: ['cold-start', 'single-stream', 'offline', 'agreement', 'memory'],
    weightsPath: model.weightsPath,
    testSet: await loadFashionMnist('test'),
    command: 'test',
    progress: silentProgress,
  });

/** Runs with CHROMIUM_PATH set for the children (they read it when they start). */
async function withChromiumPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.CHROMIUM_PATH;
  process.env.CHROMIUM_PATH = path;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = before;
  }
}

const missing = chromiumUnavailable();
if (missing) console.warn(`browser rows: skipped, ${missing}`);
const skipped = missing ? ` (skipped: ${missing})` : '';

const ofType = <T extends ChildMessage['type']>(messages: ChildMessage[], type: T) =>
  messages.filter((m): m is Extract<ChildMessage, { type: T }> => m.type === type);

describe('browser rows', () => {
  it.skipIf(missing !== null)(
    `runs tfjs wasm SIMD in a cross-origin-isolated page, timed there, agreeing with tfjs cpu; an engine the page cannot start is an unavailable row${skipped}`,
    async () => {
      // WebGPU without --enable-unsafe-webgpu: Chromium on Linux offers no adapter, and the page says so
      const webgpu = catalog.find((e) => e.id === 'browser-tfjs-webgpu')!;
      const results = await run([
        ...selectEntries(catalog, ['tfjs-cpu', 'browser-tfjs-wasm-simd-1t']),
        { ...webgpu, options: { ...webgpu.options, flags: '' } },
      ]);
      expect(results.runs.map((r) => [r.backend, r.status, r.reason ?? r.errors?.join('; ') ?? ''])).toEqual([
        ['tfjs-cpu', 'ok', ''],
        ['browser-tfjs-wasm-simd-1t', 'ok', ''],
        ['browser-tfjs-webgpu', 'unavailable', expect.stringMatching(/^in Chromium \d+[.\d]*: .*no WebGPU adapter/)],
      ]);
      const row = results.runs[1];
      expect(row.browser).toBe(true);
      expect(row.facts?.details).toMatchObject({
        backend: 'wasm',
        binary: 'tfjs-backend-wasm-simd.wasm',
        threads: 1,
        crossOriginIsolated: true,
      });
      expect(String(row.facts?.details.browser)).toMatch(/^Chromium \d+\.\d+/);
      // the page's own WebAssembly peak probe: Chromium has relaxed SIMD, so its fused multiply-add is the float peak
      expect(row.facts?.details).toMatchObject({
        wasmPeakFloat32Kernel: 'f32x4-relaxed-madd',
        wasmPeakInt8Kernel: expect.stringMatching(/^i32x4-/),
      });
      expect(row.facts?.details.wasmPeakFloat32Gflops).toBeGreaterThan(1);
      expect(row.facts?.details.wasmPeakInt8Gops).toBeGreaterThan(1);
      // phases timed in the page: navigation to script, engine init, weights load, first inference
      const c = row.coldStart!;
      expect(Math.min(c.processMs, c.initMs, c.loadMs, c.firstInferenceMs)).toBeGreaterThan(0);
      expect(row.singleStream!.samples).toBeGreaterThanOrEqual(PROFILES.smoke.singleStream.minIterations);
      expect(row.offline?.map((o) => [o.batch, (o.imagesPerSecond ?? 0) > 0])).toEqual([
        [1, true],
        [4, true],
      ]);
      expect(row.agreement?.images).toBe(results.runs[0].agreement?.images);
      expect(row.agreement?.maxAbsLogitDiff).toBeLessThan(1e-4);
      // the page's renderer and its WebAssembly memory, not the Node child's
      expect(row.memory!.wasmHeapBytes).toBeGreaterThan(1 << 20);
      expect(row.memory!.peakRssBytes).toBeGreaterThan(row.memory!.startRssBytes);
    },
    // about 40 s on an idle 2-core machine; this leaves room for a machine busy with training and other tests
    300_000,
  );

  it.skipIf(missing !== null)(
    `runs LiteRT.js in the page on the row's .tflite: one thread through the core's loader, all cores on its threaded build${skipped}`,
    async () => {
      // 2x2 dense fixture (see litert.test.ts): logit i = sum_j ((4i + j) / 10 - 1) x_j + i / 100
      const tiny = fileURLToPath(new URL('../../test/fixtures/tiny-dense.tflite', import.meta.url));
      const x = [0.1, 0.2, 0.3, 0.4];
      const want = Array.from(
        { length: 10 },
        (_, i) => x.reduce((a, v, j) => a + ((4 * i + j) / 10 - 1) * v, 0) + i / 100,
      );
      const threaded = createCatalog(2).find((e) => e.id === 'browser-litert-wasm-all')!;
      for (const [entry, binary] of [
        [catalog.find((e) => e.id === 'browser-litert-wasm-1t')!, 'litert_wasm_internal.wasm'],
        [threaded, 'litert_wasm_threaded_internal.wasm'],
      ] as const) {
        const runner = createRunner({
          size: 2,
          weightsPath: '',
          model: entry.model,
          modelPath: tiny,
          options: entry.options,
        });
        const facts = await runner.init();
        expect(facts.details, entry.id).toMatchObject({ binary, threads: entry.threads, crossOriginIsolated: true });
        const model = await runner.load();
        const out = await model.infer({ n: 1, images: new Uint8Array(0), input: new Float32Array(x) });
        const logits = Array.from((out as { logits: Float32Array }).logits);
        logits.forEach((v, i) => expect(v, `${entry.id} logit ${i}`).toBeCloseTo(want[i]!, 5));
      }
    },
    120_000,
  );

  it('turns a browser that cannot start, or is not there, into "unavailable" with the reason, without waiting for it', async () => {
    const entry = catalog.find((e) => e.id === 'browser-tfjs-wasm-simd-1t')!;
    const task: ChildTask = {
      runnerModule: runnerPath(entry),
      runner: {
        size: model.size,
        weightsPath: model.weightsPath,
        model: entry.model,
        modelPath: model.weightsPath,
        options: entry.options,
      },
      plan: {
        scenarios: ['cold-start', 'memory'],
        singleStream: { timeMs: 10, minIterations: 1, warmupIterations: 0 },
        offline: { batches: [1], timeMs: 10, minIterations: 1, maxCallMs: 1000 },
        agreement: { images: 1, batch: 1 },
      },
      // never read: the row stops at init
      data: {
        imagesPath: model.weightsPath,
        labelsPath: model.weightsPath,
        count: 1,
        inputsPath: model.weightsPath,
        inputCount: 1,
      },
    };
    const t0 = Date.now();
    const exits = await withChromiumPath('/bin/false', () => runChildProcess(task, { timeoutMs: 120_000 }));
    const none = await withChromiumPath('/nonexistent/chromium', () => runChildProcess(task, { timeoutMs: 120_000 }));
    expect(ofType(exits.messages, 'unavailable')).toEqual([
      { type: 'unavailable', reason: 'Chromium (/bin/false) did not start: it exited (exitCode=1, signal=null)' },
    ]);
    expect(ofType(none.messages, 'unavailable')).toEqual([
      {
        type: 'unavailable',
        reason: 'no Chromium at /nonexistent/chromium (apt-get install chromium, or set CHROMIUM_PATH)',
      },
    ]);
    expect(exits.failure ?? none.failure).toBeUndefined();
    // two child processes; no browser is waited for (its launch timeout is 60 s)
    expect(Date.now() - t0).toBeLessThan(100_000);
  });
});
