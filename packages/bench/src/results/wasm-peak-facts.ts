// A browser row's or an edge row's own WebAssembly peak probe travels in its facts' details (plain data), under these keys.
import type { WasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';
import type { EngineFacts } from '../runners/runner.ts';

/** The facts' detail keys a row (browser page, Worker) carries its own runtime's probe under. */
export const WASM_PEAK_DETAIL_KEYS = {
  float32Gflops: 'wasmPeakFloat32Gflops',
  float32Kernel: 'wasmPeakFloat32Kernel',
  int8Gops: 'wasmPeakInt8Gops',
  int8Kernel: 'wasmPeakInt8Kernel',
  kernels: 'wasmPeakKernels',
} as const;

/** A probe's headline figures as facts details (3 significant digits), for a row that ran it where its engine ran. */
export function wasmPeakDetails(peak: WasmPeak): Record<string, string | number> {
  const round = (x: number) => Number(x.toPrecision(3));
  return {
    [WASM_PEAK_DETAIL_KEYS.float32Gflops]: round(peak.float32Gflops),
    [WASM_PEAK_DETAIL_KEYS.float32Kernel]: peak.float32Kernel,
    [WASM_PEAK_DETAIL_KEYS.int8Gops]: round(peak.int8Gops),
    [WASM_PEAK_DETAIL_KEYS.int8Kernel]: peak.int8Kernel,
    // every kernel, G ops/s, or "n/a" where the runtime lacks it
    [WASM_PEAK_DETAIL_KEYS.kernels]: peak.kernels
      .map((k) => `${k.kernel} ${k.available ? round(k.gops) : 'n/a'}`)
      .join(', '),
  };
}

/** The peak a row carries in its facts (`wasmPeakDetails`), or null. */
export function wasmPeakFromFacts(facts: EngineFacts | undefined): {
  float32Gflops: number;
  float32Kernel: string;
  int8Gops: number;
  int8Kernel: string;
} | null {
  const d = facts?.details;
  const f32 = d?.[WASM_PEAK_DETAIL_KEYS.float32Gflops];
  const int8 = d?.[WASM_PEAK_DETAIL_KEYS.int8Gops];
  if (typeof f32 !== 'number' || typeof int8 !== 'number') return null;
  return {
    float32Gflops: f32,
    float32Kernel: String(d?.[WASM_PEAK_DETAIL_KEYS.float32Kernel]),
    int8Gops: int8,
    int8Kernel: String(d?.[WASM_PEAK_DETAIL_KEYS.int8Kernel]),
  };
}
