// The bench's page (bundled by esbuild, served by ../server.ts): sets `window.ninBench` for the Node side to
// drive over Playwright. Engines load on demand (a page runs one), each from its own chunk.
import { installWasmMemoryProbe, wasmHeapBytes } from '../../child/wasm-memory.ts';
import { compileWasmPeakModules, measureWasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';
import type { NinBenchPage, PageEngineOptions } from './api.ts';
import type { PageEngine } from './engine.ts';
import { PAGE_ENGINES } from './engines.ts';

const startMs = performance.now();
// Before any engine loads: every WebAssembly memory created from now on is counted.
installWasmMemoryProbe();

let engine: PageEngine | undefined;
const inputs = new Map<string, Float32Array>();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const api: NinBenchPage = {
  startMs,
  crossOriginIsolated,
  async init(options: PageEngineOptions) {
    if (engine) throw new Error('this page already runs an engine');
    const start = PAGE_ENGINES[options.engine];
    if (!start) throw new Error(`no engine "${options.engine}" in this page`);
    const started = await start(options);
    engine = started.engine;
    return started.init;
  },
  async load(url, size) {
    if (!engine) throw new Error('no engine: call init first');
    // As in Node, where loading reads the file: fetching the model from the page's server is part of it.
    const t0 = performance.now();
    await engine.load(await fetchBytes(url), size);
    return performance.now() - t0;
  },
  async put(id, url) {
    const bytes = await fetchBytes(url);
    inputs.set(id, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  },
  async infer(id, n) {
    const input = inputs.get(id);
    if (!engine) throw new Error('no engine: call init first');
    if (!input) throw new Error(`no input "${id}": put it first`);
    const t0 = performance.now();
    const logits = await engine.logits(input, n);
    const ms = performance.now() - t0;
    return { ms, logits: Array.from(logits) };
  },
  drop(id) {
    inputs.delete(id);
  },
  memory() {
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return { wasmHeapBytes: wasmHeapBytes(), jsHeapUsedBytes: heap ? heap.usedJSHeapSize : null };
  },
  async wasmPeak(urls) {
    return measureWasmPeak(await compileWasmPeakModules(await fetchBytes(urls.simd), await fetchBytes(urls.relaxed)));
  },
};
window.ninBench = api;
