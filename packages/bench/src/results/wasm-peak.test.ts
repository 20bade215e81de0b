import { describe, expect, it } from 'vitest';
import { WASM_PEAK_KERNELS } from '@nin-bench/core-nin/probe/wasm-peak';
import { measureNodeWasmPeak } from './wasm-peak.ts';
import { wasmPeakDetails, wasmPeakFromFacts } from './wasm-peak-facts.ts';

describe('the WebAssembly peak probe in the bench', () => {
  it("measures this Node's peak from core's committed modules, relaxed SIMD where this Node has it", async () => {
    const peak = await measureNodeWasmPeak();
    expect(peak.runtime).toBe(`Node ${process.version} (V8 ${process.versions.v8})`);
    expect(peak.kernels.map((k) => k.kernel)).toEqual(WASM_PEAK_KERNELS.map((k) => k.id));
    expect(peak.float32Gflops).toBeGreaterThan(1);
    expect(peak.int8Gops).toBeGreaterThan(1);
    // Node 20 has no relaxed SIMD without a flag: those kernels are then "not available", the rest still measured
    if (!peak.kernels[2]!.available) expect(peak.kernels[3]).toMatchObject({ available: false });
  });

  it('carries a probe in facts details and reads it back (3 significant digits); facts without one give null', () => {
    const details = wasmPeakDetails({
      kernels: [
        { kernel: 'f32x4-mul-add', arithmetic: 'float32', available: true, gops: 45.24, medianGops: 45, iterations: 1, opsPerCall: 96, callsMs: [1] },
        { kernel: 'f32x4-relaxed-madd', arithmetic: 'float32', available: false, reason: 'no' },
      ],
      float32Gflops: 66.6123,
      float32Kernel: 'f32x4-relaxed-madd',
      int8Gops: 88.549,
      int8Kernel: 'i32x4-dot-i16x8',
    });
    expect(details).toEqual({
      wasmPeakFloat32Gflops: 66.6,
      wasmPeakFloat32Kernel: 'f32x4-relaxed-madd',
      wasmPeakInt8Gops: 88.5,
      wasmPeakInt8Kernel: 'i32x4-dot-i16x8',
      wasmPeakKernels: 'f32x4-mul-add 45.2, f32x4-relaxed-madd n/a',
    });
    expect(wasmPeakFromFacts({ engine: 'tfjs', version: '4', details })).toEqual({
      float32Gflops: 66.6,
      float32Kernel: 'f32x4-relaxed-madd',
      int8Gops: 88.5,
      int8Kernel: 'i32x4-dot-i16x8',
    });
    expect(wasmPeakFromFacts({ engine: 'tfjs', version: '4', details: { threads: 1 } })).toBeNull();
    expect(wasmPeakFromFacts(undefined)).toBeNull();
  });

});
