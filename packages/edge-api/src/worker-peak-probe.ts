// The WebAssembly peak probe's modules every Worker build bundles (GET /probe, off unless PEAK_PROBE=on), imported
// as modules: wrangler compiles each `.wasm` import to a WebAssembly.Module (Workers forbid compiling from bytes).
// workerd has relaxed SIMD, so the relaxed module compiles there; a runtime without it would refuse the Worker.
import type { WasmPeakModules } from '@nin-bench/core-nin/probe/wasm-peak';
import simd from '@nin-bench/core-nin/probe/wasm-peak.wasm';
import relaxed from '@nin-bench/core-nin/probe/wasm-peak-relaxed.wasm';

export const WORKER_PEAK_PROBE_WASM: WasmPeakModules = { simd, relaxed };
