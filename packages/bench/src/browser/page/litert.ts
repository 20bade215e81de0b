// LiteRT.js in the bench's page, on the same .tflite export as the Node rows, its glue and wasm served from
// node_modules/@litertjs/core/wasm (LITERT_WASM_PATH). One thread: the core's loader, as in Node and the Worker (the
// glue through `loadLiteRtGlueScript`, the build pinned and reported). Several threads or WebGPU: the package's own
// loader (`loadLiteRt` on the folder picks the threaded build, which the core's loader does not take), as a page
// author would call it.
import {
  bestLiteRtBuild,
  createLiteRtRuntime,
  LITERT_BUILD_FILES,
  LITERT_VERSION,
  loadLiteRtClassifier,
  loadLiteRtGlueScript,
  type LiteRtClassifier,
} from '@nin-bench/core-nin/litert';
import { LITERT_WASM_PATH, type PageEngineOptions, type PageInit } from './api.ts';
import type { PageEngine } from './engine.ts';
import { webGpuAdapterFacts } from './webgpu.ts';

/** The threaded build's files (the package loads it for `threads: true`). */
const THREADED_BUILD = 'litert_wasm_threaded_internal';

type Details = Record<string, string | number | boolean>;

/**
 * What LiteRT prints that is no problem, as the core's loader drops it: its INFO lines and the note that there is
 * no NPU. The package's own loader prints them with `console.error`, which the bench's page watch counts as a page
 * failure; the core's loader filters them itself.
 */
const LITERT_NOISE = [/^INFO: /, /^WARNING: \[npu_registry\.cc:\d+\] NPU accelerator could not be loaded/];

function quietLiteRtNoise(): void {
  const error = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (!LITERT_NOISE.some((pattern) => pattern.test(String(args[0] ?? '')))) error(...args);
  };
}

export async function startLiteRt(options: PageEngineOptions): Promise<{ init: PageInit; engine: PageEngine }> {
  const threads = options.threads ?? 1;
  if (options.backend !== 'wasm' && options.backend !== 'webgpu')
    throw new Error(`unknown LiteRT.js accelerator "${options.backend}" in the page`);
  if (options.backend === 'wasm' && threads === 1) return startOneThread();
  return startPackageLoader(options.backend, threads);
}

/** One thread through the core's loader: the relaxed-SIMD build where Chromium has relaxed SIMD. */
async function startOneThread(): Promise<{ init: PageInit; engine: PageEngine }> {
  const t0 = performance.now();
  const build = bestLiteRtBuild();
  const file = LITERT_BUILD_FILES[build];
  const [glue, wasm] = await Promise.all([
    loadLiteRtGlueScript(`${LITERT_WASM_PATH}${file}.js`),
    WebAssembly.compileStreaming(fetch(`${LITERT_WASM_PATH}${file}.wasm`)),
  ]);
  const runtime = await createLiteRtRuntime({ glue, wasm, build });
  const ms = performance.now() - t0;
  let model: LiteRtClassifier | undefined;
  return {
    init: {
      ms,
      version: runtime.version,
      details: {
        accelerator: 'wasm (XNNPACK, CPU)',
        build,
        binary: `${file}.wasm`,
        relaxedSimd: build === 'relaxed',
        threads: 1,
      },
    },
    engine: {
      async load(bytes, size) {
        model = await loadLiteRtClassifier(runtime, bytes);
        if (model.inputSize !== size) throw new Error(`the .tflite takes ${model.inputSize} px images, not ${size}`);
      },
      async logits(input, n) {
        if (!model) throw new Error('no model loaded');
        return model.logits(input, n);
      },
    },
  };
}

/** Several threads (the threaded build, which needs the page cross-origin isolated) or WebGPU: the package's loader. */
async function startPackageLoader(
  accelerator: 'wasm' | 'webgpu',
  threads: number,
): Promise<{ init: PageInit; engine: PageEngine }> {
  const t0 = performance.now();
  if (threads > 1 && !crossOriginIsolated) throw new Error('threads need a cross-origin-isolated page (COOP + COEP)');
  let details: Details = { accelerator: accelerator === 'wasm' ? 'wasm (XNNPACK, CPU)' : 'webgpu' };
  details = { ...details, ...(accelerator === 'webgpu' ? await webGpuAdapterFacts() : { threads }) };
  quietLiteRtNoise();
  const litert = await import('@litertjs/core');
  await litert.loadLiteRt(LITERT_WASM_PATH, { threads: threads > 1 });
  // the binary the package chose (it picks by what the page supports): the one the page fetched
  const fetched = performance
    .getEntriesByType('resource')
    .map((r) => /litert_wasm_\w+\.wasm$/.exec(r.name)?.[0])
    .filter((name) => name !== undefined);
  details.binary = fetched.join(', ') || 'unknown';
  if (threads > 1 && !fetched.includes(`${THREADED_BUILD}.wasm`))
    throw new Error(`LiteRT.js loaded ${details.binary}, not its threaded build, for ${threads} threads`);
  const ms = performance.now() - t0;
  let compiled: Awaited<ReturnType<typeof litert.loadAndCompile>> | undefined;
  let size = 0;
  let side = 0;
  return {
    init: { ms, version: LITERT_VERSION, details },
    engine: {
      async load(bytes, inputSize) {
        compiled = await litert.loadAndCompile(bytes, {
          accelerator,
          ...(accelerator === 'wasm' ? { cpuOptions: { numThreads: threads } } : {}),
        });
        size = inputSize;
        side = size * size;
      },
      async logits(input, n) {
        if (!compiled) throw new Error('no model loaded');
        // the NiN .tflite takes one image per run: n runs, each image's logits copied out
        const out = new Float32Array(n * 10);
        for (let i = 0; i < n; i++) {
          const onCpu = new litert.Tensor(input.slice(i * side, (i + 1) * side), [1, size, size, 1]);
          // WebGPU takes its input on the GPU: the upload is part of the call, as the download after it
          const image = accelerator === 'webgpu' ? await onCpu.moveTo('webgpu') : onCpu;
          const [logits] = await compiled.run(image);
          image.delete();
          const onHost = logits!.accelerator === 'wasm' ? logits! : await logits!.moveTo('wasm');
          out.set((await onHost.data()) as Float32Array, i * 10);
          onHost.delete();
        }
        return out;
      },
    },
  };
}
