import type { WasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';

/**
 * What the bench's page offers the Node side (`window.ninBench`), and what the two sides exchange: plain JSON
 * over Playwright's `page.evaluate`. Every duration is taken inside the page with `performance.now()` around the
 * engine's own work, so that the round trip to the page is not in the figures.
 */

/** Where the page's server serves the engines' wasm binaries (from node_modules): tfjs-backend-wasm's, onnxruntime-web's. */
export const TFJS_WASM_PATH = '/tfjs-wasm/';
export const ORT_WASM_PATH = '/ort/';
/** Where the page's server serves LiteRT.js's glue scripts and wasm (`@litertjs/core/wasm/`). */
export const LITERT_WASM_PATH = '/litert/';

/** Where the page's server serves the WebAssembly peak probe's two modules (core-nin's probe/*.wasm). */
export const WASM_PEAK_URLS = { simd: '/probe/wasm-peak.wasm', relaxed: '/probe/wasm-peak-relaxed.wasm' } as const;

/** The engines the page can run (page/engines.ts loads each from its own chunk). */
export const PAGE_ENGINE_NAMES = ['tfjs', 'onnxruntime-web', 'litert'] as const;
export type PageEngineName = (typeof PAGE_ENGINE_NAMES)[number];

/** The engine a browser row runs, from its catalog entry's options. */
export interface PageEngineOptions {
  readonly engine: PageEngineName;
  /** tfjs: `wasm`, `webgl` or `webgpu`; onnxruntime-web: the execution provider, `wasm` or `webgpu`; litert: the accelerator, `wasm` or `webgpu` */
  readonly backend: string;
  /** wasm only: the SIMD binary (tfjs: `false` loads the plain one) */
  readonly simd?: boolean;
  /** wasm only: threads (1: the single-threaded binary; more needs the page to be cross-origin isolated) */
  readonly threads?: number;
}

export interface PageInit {
  /** the engine's init, ms */
  readonly ms: number;
  readonly version: string;
  /** binary, threads, adapter ... */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface PageMemory {
  /** every WebAssembly.Memory the engine created (the page's own probe), bytes; null when none */
  readonly wasmHeapBytes: number | null;
  /** `performance.memory.usedJSHeapSize` (Chromium), bytes; null elsewhere */
  readonly jsHeapUsedBytes: number | null;
}

export interface NinBenchPage {
  /** `performance.now()` when the bundle's first line ran: navigation start to script, ms */
  readonly startMs: number;
  readonly crossOriginIsolated: boolean;
  init(options: PageEngineOptions): Promise<PageInit>;
  /** fetches the row's model file (its catalog entry's `model`: safetensors, ONNX, .tflite) from the page's server and makes it ready; ms */
  load(url: string, size: number): Promise<number>;
  /** fetches a batch's preprocessed input (float32) from the page's server and keeps it under `id` */
  put(id: string, url: string): Promise<void>;
  /** runs the model on the batch kept under `id`: logits back in the page's JavaScript memory, and the ms that took */
  infer(id: string, n: number): Promise<{ readonly ms: number; readonly logits: number[] }>;
  /** forgets a batch kept by `put` */
  drop(id: string): void;
  memory(): PageMemory;
  /** runs the WebAssembly peak probe on the page's main thread (modules fetched from `urls`), relaxed SIMD where Chromium has it */
  wasmPeak(urls: { readonly simd: string; readonly relaxed: string }): Promise<WasmPeak>;
}

declare global {
  interface Window {
    ninBench?: NinBenchPage;
  }
}
