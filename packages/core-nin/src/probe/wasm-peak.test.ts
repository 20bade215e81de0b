import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  WASM_PEAK_KERNELS,
  WasmPeakClockError,
  WasmPeakMismatchError,
  WasmPeakOptionsError,
  compileWasmPeakModules,
  measureWasmPeak,
  wasmPeakExpected,
} from './wasm-peak.ts';

const simdBytes = readFileSync(new URL('./wasm-peak.wasm', import.meta.url));
const relaxedBytes = readFileSync(new URL('./wasm-peak-relaxed.wasm', import.meta.url));

/** A clock that moves `stepMs` at every reading: each timed call lasts exactly stepMs. */
function steppingClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

/**
 * A module with the simd module's two exports that return 0 whatever they are asked: an engine computing the
 * wrong thing. (type (i32 f32 f32) -> f32 and (i32 i32 i32) -> i32, each body a constant 0.)
 */
function wrongModule(): WebAssembly.Module {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const exports = [2, ...name('f32x4_mul_add'), 0, 0, ...name('i32x4_dot_i16x8_add'), 0, 1];
  const types = [2, 0x60, 3, 0x7f, 0x7d, 0x7d, 1, 0x7d, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f];
  const code = [2, 7, 0, 0x43, 0, 0, 0, 0, 0x0b, 4, 0, 0x41, 0, 0x0b];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  return new WebAssembly.Module(
    new Uint8Array([
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...section(1, types),
      ...section(3, [2, 0, 1]),
      ...section(7, exports),
      ...section(10, code),
    ]),
  );
}

describe('the wasm peak probe', () => {
  it('every kernel answers its closed form, odd and even iteration counts alike', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    const simd = new WebAssembly.Instance(modules.simd).exports;
    for (const kernel of WASM_PEAK_KERNELS.filter((k) => k.module === 'simd')) {
      const run = simd[kernel.exportName] as (n: number, a: number, b: number) => number;
      for (const n of [0, 1, 2, 7, 1000]) expect(run(n, ...kernel.args)).toBe(wasmPeakExpected(kernel, n));
    }
    // accumulator k starts at k in 4 lanes; one step of c - acc with c = 1000: 4 × (12 × 1000 − 66)
    expect(wasmPeakExpected(WASM_PEAK_KERNELS[0]!, 1)).toBe(47_736);
    expect(wasmPeakExpected(WASM_PEAK_KERNELS[0]!, 2)).toBe(264);
  });

  it('measures the SIMD kernels on a real clock; relaxed SIMD is measured where Node has it, else not available', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    const peak = await measureWasmPeak(modules, { minCallMs: 20, repetitions: 2 });
    expect(peak.kernels.map((k) => k.kernel)).toEqual(WASM_PEAK_KERNELS.map((k) => k.id));
    for (const k of peak.kernels.slice(0, 2)) {
      expect(k.available).toBe(true);
      if (!k.available) continue;
      expect(k.callsMs).toHaveLength(2);
      expect(Math.min(...k.callsMs)).toBeGreaterThan(10);
      // one thread of any machine this runs on: more than 1, far less than 1000 G ops/s
      expect(k.gops).toBeGreaterThan(1);
      expect(k.gops).toBeLessThan(1000);
      expect(k.medianGops).toBeLessThanOrEqual(k.gops);
    }
    const relaxed = peak.kernels.slice(2);
    if ('unavailable' in modules.relaxed) {
      for (const k of relaxed)
        expect(k).toMatchObject({ available: false, reason: expect.stringMatching(/no relaxed SIMD/) });
      expect(peak.float32Kernel).toBe('f32x4-mul-add');
      expect(peak.int8Kernel).toBe('i32x4-dot-i16x8');
    } else for (const k of relaxed) expect(k.available).toBe(true);
    const f32 = peak.kernels.find((k) => k.kernel === peak.float32Kernel);
    expect(f32?.available && f32.gops).toBe(peak.float32Gflops);
  });

  it('counts ops per call from the iterations and the kernel, timed by the caller clock', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    const peak = await measureWasmPeak(
      { simd: modules.simd, relaxed: { unavailable: 'not here' } },
      { now: steppingClock(60), minCallMs: 50, repetitions: 3 },
    );
    // every call lasts 60 ms >= 50 ms: the first try (1001 iterations) is kept
    expect(peak.kernels[0]).toMatchObject({
      available: true,
      iterations: 1001,
      opsPerCall: 1001 * 96,
      callsMs: [60, 60, 60],
    });
    expect(peak.kernels[1]).toMatchObject({ available: true, iterations: 1001, opsPerCall: 1001 * 192 });
    expect(peak.float32Gflops).toBeCloseTo((1001 * 96) / 60e6, 12);
    expect(peak.int8Gops).toBeCloseTo((1001 * 192) / 60e6, 12);
    expect(peak.kernels[3]).toMatchObject({ available: false, reason: 'not here' });
  });

  it('awaits beforeClock before every clock reading (a Worker moves its clock by I/O)', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    let ticks = 0;
    await measureWasmPeak(
      { simd: modules.simd, relaxed: { unavailable: 'not here' } },
      { now: steppingClock(60), beforeClock: async () => ticks++, repetitions: 1 },
    );
    // 2 kernels × (1 calibration + 1 confirmation + 1 timed call) × 2 readings
    expect(ticks).toBe(12);
  });

  it('grows the call again when the optimised code beats the call it was sized on (no OSR for wasm)', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    // readings in pairs: calls last 60 ms (the first, "baseline tier"), then 30 ms, then 60 ms again at any count
    const durations = [60, 30, 60, 60, 60, 60];
    let reading = 0;
    let t = 0;
    const now = () => (reading++ % 2 === 0 ? t : (t += durations.shift() ?? 60));
    const peak = await measureWasmPeak(
      { simd: modules.simd, relaxed: { unavailable: 'not here' } },
      { now, minCallMs: 50, repetitions: 2 },
    );
    // 1001 lasted 60, then 30 when confirmed: regrown by 60/30 to 2003 (odd), confirmed at 60 ms
    expect(peak.kernels[0]).toMatchObject({ available: true, iterations: 2003, callsMs: [60, 60] });
  });

  it('refuses an engine whose answer is not the closed form', async () => {
    await expect(
      measureWasmPeak({ simd: wrongModule(), relaxed: { unavailable: 'x' } }, { now: steppingClock(60) }),
    ).rejects.toThrow(new WasmPeakMismatchError('f32x4_mul_add(1001) gave 0, the closed form says 47736'));
  });

  it('refuses a frozen clock and bad options with one-line errors', async () => {
    const modules = await compileWasmPeakModules(simdBytes, relaxedBytes);
    await expect(measureWasmPeak(modules, { now: () => 0 })).rejects.toBeInstanceOf(WasmPeakClockError);
    await expect(measureWasmPeak(modules, { minCallMs: 0 })).rejects.toThrow(WasmPeakOptionsError);
    await expect(measureWasmPeak(modules, { repetitions: 1.5 })).rejects.toThrow(
      'repetitions must be a positive integer, got 1.5',
    );
  });
});
