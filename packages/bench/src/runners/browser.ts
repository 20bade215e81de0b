import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import {
  BrowserLaunchError,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  chromiumUnavailable,
  launchChromium,
  watchPage,
  type PageWatch,
} from '@nin-bench/node-tools/chromium';
import type { Browser, Page } from 'playwright-core';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import {
  LITERT_WASM_PATH,
  PAGE_ENGINE_NAMES,
  WASM_PEAK_URLS,
  type PageEngineName,
  type PageEngineOptions,
} from '../browser/page/api.ts';
import { descendants } from '../browser/processes.ts';
import { startPageServer, type PageServer } from '../browser/server.ts';
import { wasmPeakFiles } from '../results/wasm-peak.ts';
import { wasmPeakDetails } from '../results/wasm-peak-facts.ts';
import { TFLITE_MODEL_FACTS } from './litert.ts';
import { INT8_MODEL } from './onnx-session.ts';
import type { CreateRunner, MeasuredMemory, ModelFormat, RunnerTask } from './runner.ts';

/** How long Chromium may take to start, and the page to come up, before the row is unavailable (a busy machine). */
const START_MS = 60_000;
/** Batches kept in the page at once: the timed ones (1, 8, 32 ...) are reused; agreement batches pass through. */
const KEPT_INPUTS = 4;

/** How an int8 row's model is described among its facts (a float32 row's is the export the README names). */
const INT8_MODEL_FACTS: Partial<Record<ModelFormat, string>> = {
  'onnx-int8': INT8_MODEL,
  'tflite-int8': TFLITE_MODEL_FACTS['tflite-int8'],
};

/** LiteRT.js's glue scripts and wasm binaries (`@litertjs/core/wasm/`), by the URL the page asks for them at. */
function liteRtFiles(): Record<string, string> {
  const dir = dirname(createRequire(import.meta.url).resolve('@litertjs/core/wasm/litert_wasm_internal.js'));
  const files = readdirSync(dir).filter((f) => /\.(js|wasm)$/.test(f));
  return Object.fromEntries(files.map((f) => [`${LITERT_WASM_PATH}${f}`, join(dir, f)]));
}

/**
 * Runs `fn` in the page (Playwright serialises it: it may use only its argument and the page's globals); the page's
 * failure (uncaught error, crash) ends the wait at once.
 */
function inPage<A, R>(page: Page, watch: PageWatch, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  // (Playwright types the page side's argument as its serialised form: our arguments are plain JSON already)
  return watch.race(page.evaluate<R, A>(fn as (arg: unknown) => R | Promise<R>, arg));
}

/** A page row's engine options and Chromium switches, from its catalog entry's options. */
function pageOptions(options: RunnerTask['options']): { engineOptions: PageEngineOptions; flags: string[] } {
  const engine = String(options.engine) as PageEngineName;
  if (!PAGE_ENGINE_NAMES.includes(engine))
    throw new RangeError(`the bench's page has no engine "${engine}": it has ${PAGE_ENGINE_NAMES.join(', ')}`);
  const engineOptions: PageEngineOptions = {
    engine,
    backend: String(options.backend ?? 'wasm'),
    simd: options.simd !== false,
    threads: Number(options.threads ?? 1),
  };
  return {
    engineOptions,
    flags: String(options.flags ?? '')
      .split(' ')
      .filter(Boolean),
  };
}

/** Headless Chromium with `flags`, and how long it took to start; a Chromium that cannot start makes the row unavailable. */
async function launch(id: string, flags: readonly string[]): Promise<{ browser: Browser; launchMs: number }> {
  const missing = chromiumUnavailable();
  if (missing) throw new BackendUnavailableError(id, missing);
  const t0 = performance.now();
  try {
    const browser = await launchChromium({ args: [...flags], timeoutMs: START_MS });
    return { browser, launchMs: performance.now() - t0 };
  } catch (e) {
    if (e instanceof BrowserLaunchError) throw new BackendUnavailableError(id, e.message.split('\n', 1)[0]);
    throw e;
  }
}

/** The bench's page, opened from `server` and watched: when its script started, and whether it is cross-origin isolated. */
async function openPage(browser: Browser, server: PageServer, id: string) {
  const page = await browser.newPage();
  page.setDefaultTimeout(START_MS);
  const watch = watchPage(page);
  try {
    await watch.race(page.goto(`${server.origin}/`));
    await watch.race(page.waitForFunction(() => window.ninBench !== undefined));
    const opened = await inPage(
      page,
      watch,
      () => ({ startMs: window.ninBench!.startMs, isolated: window.ninBench!.crossOriginIsolated }),
      null,
    );
    return { page, watch, opened };
  } catch (e) {
    const said = (e as Error).message.split('\n', 1)[0];
    throw new BackendUnavailableError(id, `the bench's page did not come up in Chromium ${browser.version()}: ${said}`);
  }
}

/**
 * A wasm row: how fast this page's WebAssembly can multiply and add on one thread, what the row is read against.
 * After the engine's init, outside its timing; a probe that fails leaves the row as it is, saying why.
 */
async function pageWasmPeak(page: Page, watch: PageWatch): Promise<Record<string, string | number>> {
  try {
    return wasmPeakDetails(await inPage(page, watch, (urls) => window.ninBench!.wasmPeak(urls), WASM_PEAK_URLS));
  } catch (e) {
    return { wasmPeakError: (e as Error).message.split('\n', 1)[0]! };
  }
}

/**
 * The id in the page of a batch the harness hands over: the page keeps the last KEPT_INPUTS batches (the timed
 * batches are the same arrays each call), each sent once through `server`.
 */
function pageInputs(page: Page, watch: PageWatch, server: PageServer): (input: Float32Array) => Promise<string> {
  const kept = new Map<Float32Array, string>();
  return async (input) => {
    const known = kept.get(input);
    if (known) return known;
    const path = server.put(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    try {
      await inPage(page, watch, (p) => window.ninBench!.put(p, p), path);
    } finally {
      server.drop(path);
    }
    kept.set(input, path);
    if (kept.size > KEPT_INPUTS) {
      const [oldest, oldId] = kept.entries().next().value!;
      kept.delete(oldest);
      await inPage(page, watch, (dropped) => window.ninBench!.drop(dropped), oldId);
    }
    return path;
  };
}

/** The page's memory: its WebAssembly and JS heaps, its renderer's RSS, and the CPU time of the browser's processes. */
async function pageMemory(page: Page, watch: PageWatch, startRssBytes: number | undefined): Promise<MeasuredMemory> {
  const inside = await inPage(page, watch, () => window.ninBench!.memory(), null);
  const browser = descendants();
  const renderer = browser.filter((d) => d.type === 'renderer').sort((a, b) => b.peakRssBytes - a.peakRssBytes)[0];
  return {
    wasmHeapBytes: inside.wasmHeapBytes,
    ...(inside.jsHeapUsedBytes !== null ? { jsHeapUsedBytes: inside.jsHeapUsedBytes } : {}),
    ...(renderer ? { peakRssBytes: renderer.peakRssBytes, startRssBytes: startRssBytes ?? renderer.rssBytes } : {}),
    extraCpuMs: browser.reduce((a, d) => a + d.cpuMs, 0),
  };
}

/**
 * The model in a web page: headless Chromium (the system's, through playwright-core) opens a page served from
 * this machine, cross-origin isolated (COOP + COEP, so that WebAssembly threads work), which runs one engine on the
 * row's model file (`task.modelPath`): tfjs (wasm, webgl, webgpu), onnxruntime-web (wasm, webgpu) or LiteRT.js (wasm,
 * webgpu). Each call is timed inside the page, around the engine's own work; the round trip to the page over the
 * DevTools protocol is not in the figures. `options`: `engine` (one of the page's, browser/page/engines.ts),
 * `backend`, `simd`, `threads`, `flags` (Chromium switches).
 */
export const createRunner: CreateRunner = (task) => {
  const { engineOptions, flags } = pageOptions(task.options);
  const modelUrl = `/model/${basename(task.modelPath)}`;
  const id = `browser ${engineOptions.engine} ${engineOptions.backend}`;
  let page: Page;
  let watch: PageWatch;
  let server: PageServer;
  let startRssBytes: number | undefined;
  return {
    async init() {
      const { browser, launchMs } = await launch(id, flags);
      const probeFiles = wasmPeakFiles();
      server = await startPageServer({
        [modelUrl]: task.modelPath,
        ...liteRtFiles(),
        [WASM_PEAK_URLS.simd]: probeFiles.simd,
        [WASM_PEAK_URLS.relaxed]: probeFiles.relaxed,
      });
      let opened;
      ({ page, watch, opened } = await openPage(browser, server, id));
      startRssBytes = descendants().find((d) => d.type === 'renderer')?.rssBytes;
      let init;
      try {
        init = await inPage(page, watch, (o) => window.ninBench!.init(o), engineOptions);
      } catch (e) {
        // what the page says: no WebGPU adapter, no WebGL context, no threads ...
        const said = (e as Error).message.replace(/^.*the page failed: /, '').split('\n', 1)[0];
        const withFlags = flags.length ? ` (${flags.join(' ')})` : '';
        throw new BackendUnavailableError(id, `in Chromium ${browser.version()}${withFlags}: ${said}`);
      }
      const probe = engineOptions.backend === 'wasm' ? await pageWasmPeak(page, watch) : {};
      return {
        engine: engineOptions.engine,
        version: init.version,
        details: {
          browser: `Chromium ${browser.version()} (headless)`,
          executable: CHROMIUM_PATH,
          flags: [...CHROMIUM_ARGS, ...flags].join(' '),
          crossOriginIsolated: opened.isolated,
          browserLaunchMs: Math.round(launchMs),
          ...init.details,
          ...(INT8_MODEL_FACTS[task.model] ? { model: INT8_MODEL_FACTS[task.model]! } : {}),
          ...probe,
        },
        measured: { startMs: opened.startMs, initMs: init.ms },
      };
    },
    async load() {
      const loadMs = await inPage(page, watch, (a) => window.ninBench!.load(a.url, a.size), {
        url: modelUrl,
        size: task.size,
      });
      const inputId = pageInputs(page, watch, server);
      return {
        loadMs,
        async infer(batch) {
          const inputKey = await inputId(batch.input);
          const out = await inPage(page, watch, (a) => window.ninBench!.infer(a.id, a.n), { id: inputKey, n: batch.n });
          return { logits: Float32Array.from(out.logits), durationMs: out.ms };
        },
        memory: () => pageMemory(page, watch, startRssBytes),
      };
    },
  };
};
