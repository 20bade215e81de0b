// The WebAssembly peak probe's modules every Worker build bundles (GET /probe, off unless PEAK_PROBE=on), imported
// as modules: wrangler compiles each `.wasm` import to a WebAssembly.Module (Workers forbid compiling from bytes).
// workerd has relaxed SIMD, so the relaxed module compiles there; a runtime without it would refuse the Worker.
// By path, as the weights: wrangler's module collector does not resolve a package's exported `.wasm` subpath.
import type { WasmPeakModules } from '@nin-bench/core-nin/probe/wasm-peak';
import simd from '../../core-nin/src/probe/wasm-peak.wasm';
import relaxed from '../../core-nin/src/probe/wasm-peak-relaxed.wasm';

export const WORKER_PEAK_PROBE_WASM: WasmPeakModules = { simd, relaxed };
