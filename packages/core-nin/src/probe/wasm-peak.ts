// `@nin-bench/core-nin/probe/wasm-peak`: how fast this runtime's WebAssembly SIMD can multiply and add on one thread,
// the ceiling a wasm engine's GFLOP/s is read against. Worker-safe (no node:*): it takes WebAssembly.Modules already
// compiled (a Worker cannot compile bytes; wrangler hands it the modules), and the caller's clock.
// The kernels are wasm-peak.wat and wasm-peak-relaxed.wat beside this file (how they keep every value exact is there).

/** The probe's two modules: `simd` is wasm-peak.wasm; `relaxed` is wasm-peak-relaxed.wasm, or why this runtime has none. */
export interface WasmPeakModules {
  readonly simd: WebAssembly.Module;
  readonly relaxed: WebAssembly.Module | { readonly unavailable: string };
}

export type WasmPeakKernelId =
  'f32x4-mul-add' | 'i32x4-dot-i16x8' | 'f32x4-relaxed-madd' | 'i32x4-relaxed-dot-i8x16-i7x16';

/** What a kernel computes and how its ops are counted. */
export interface WasmPeakKernel {
  readonly id: WasmPeakKernelId;
  readonly module: 'simd' | 'relaxed';
  /** The module's export. */
  readonly exportName: string;
  readonly arithmetic: 'float32' | 'int8';
  /** Ops per loop iteration: 12 accumulators × the ops one step does (see `opsPerStep`). */
  readonly opsPerIteration: number;
  /** In words: what one step is and how its ops are counted. */
  readonly opsPerStep: string;
  /** The two arguments after the iteration count: (x, y) for float kernels, (w, c) for integer ones. */
  readonly args: readonly [number, number];
}

/** v128 accumulators each kernel steps per iteration (wasm-peak.wat). */
export const WASM_PEAK_ACCUMULATORS = 12;

const FLOAT_ARGS = [-1, 1000] as const;
export const WASM_PEAK_KERNELS: readonly WasmPeakKernel[] = [
  {
    id: 'f32x4-mul-add',
    module: 'simd',
    exportName: 'f32x4_mul_add',
    arithmetic: 'float32',
    opsPerIteration: WASM_PEAK_ACCUMULATORS * 8,
    opsPerStep: 'f32x4.mul then f32x4.add: 2 float32 ops per lane, 8 per step',
    args: FLOAT_ARGS,
  },
  {
    id: 'i32x4-dot-i16x8',
    module: 'simd',
    exportName: 'i32x4_dot_i16x8_add',
    arithmetic: 'int8',
    opsPerIteration: WASM_PEAK_ACCUMULATORS * 16,
    opsPerStep:
      'i32x4.dot_i16x8_s then i32x4.add: 8 i16 products and 8 additions (4 in the dot, 4 into the accumulator), 16 ops per step',
    // w = 0x0000ffff: each i16 pair is (-1, 0)
    args: [0xffff, 1000],
  },
  {
    id: 'f32x4-relaxed-madd',
    module: 'relaxed',
    exportName: 'f32x4_relaxed_madd',
    arithmetic: 'float32',
    opsPerIteration: WASM_PEAK_ACCUMULATORS * 8,
    opsPerStep: 'f32x4.relaxed_madd: 2 float32 ops per lane, 8 per step',
    args: FLOAT_ARGS,
  },
  {
    id: 'i32x4-relaxed-dot-i8x16-i7x16',
    module: 'relaxed',
    exportName: 'i32x4_relaxed_dot_i8x16_i7x16_add',
    arithmetic: 'int8',
    opsPerIteration: WASM_PEAK_ACCUMULATORS * 32,
    opsPerStep:
      'i32x4.relaxed_dot_i8x16_i7x16_add_s: 16 i8×i7 products and 16 additions (12 in the groups of 4, 4 into the addend), 32 ops per step',
    // w = 0x000000ff: each group of 4 bytes is (-1, 0, 0, 0); c <= 127 keeps the i7 operand in range
    args: [0xff, 100],
  },
];

/** One kernel's measurement. `gops`: the best call, in 10^9 ops/s (GFLOP/s for float32). */
export type WasmPeakFigure =
  | {
      readonly kernel: WasmPeakKernelId;
      readonly arithmetic: 'float32' | 'int8';
      readonly available: true;
      readonly gops: number;
      readonly medianGops: number;
      /** Loop iterations per timed call, and that call's ops. */
      readonly iterations: number;
      readonly opsPerCall: number;
      /** Every timed call's duration, ms. */
      readonly callsMs: readonly number[];
    }
  | {
      readonly kernel: WasmPeakKernelId;
      readonly arithmetic: 'float32' | 'int8';
      readonly available: false;
      readonly reason: string;
    };

/** The probe's answer: every kernel, and the best of each arithmetic (what an engine of that kind could reach). */
export interface WasmPeak {
  readonly kernels: readonly WasmPeakFigure[];
  /** The best float32 multiply-add, GFLOP/s (relaxed_madd where the runtime has it). */
  readonly float32Gflops: number;
  readonly float32Kernel: WasmPeakKernelId;
  /** The best int8-class dot product, GOP/s (relaxed dot where the runtime has it and it is faster). */
  readonly int8Gops: number;
  readonly int8Kernel: WasmPeakKernelId;
}

export interface WasmPeakOptions {
  /** The clock, ms (default `performance.now()`). */
  readonly now?: () => number;
  /**
   * Awaited before each clock reading. A Worker's clock only moves at I/O (Spectre mitigation): pass something that
   * does I/O, e.g. `() => scheduler.wait(0)`. Default: none.
   */
  readonly beforeClock?: () => Promise<unknown>;
  /** Each timed call lasts at least this long, ms (default 50). */
  readonly minCallMs?: number;
  /** Timed calls per kernel (default 5); the best gives `gops`. */
  readonly repetitions?: number;
}

/** A kernel's answer differed from its closed form: the engine computed something else, and no figure is given. */
export class WasmPeakMismatchError extends Error {
  override readonly name = 'WasmPeakMismatchError';
}

/** The clock did not move across a call that must take milliseconds: a frozen clock (a Worker reads the time of its last I/O). */
export class WasmPeakClockError extends Error {
  override readonly name = 'WasmPeakClockError';
}

/** Bad options (a non-positive duration or repetition count). */
export class WasmPeakOptionsError extends Error {
  override readonly name = 'WasmPeakOptionsError';
}

/**
 * The closed form: every step maps acc to c - acc (x = -1 or w = -1), so after n iterations accumulator k
 * (started at k in every lane) holds k (n even) or c - k (n odd); the kernel returns the sum over 4 lanes.
 */
export function wasmPeakExpected(kernel: WasmPeakKernel, iterations: number): number {
  const c = kernel.args[1];
  let sum = 0;
  for (let k = 0; k < WASM_PEAK_ACCUMULATORS; k++) sum += 4 * (iterations % 2 === 0 ? k : c - k);
  return sum;
}

// wasm's i32 loop counter: stay below 2^31
const MAX_ITERATIONS = 2 ** 30;
// 2^20 iterations are 12M dependent SIMD steps, milliseconds on any machine: a clock that shows 0 there is frozen
const FROZEN_CLOCK_ITERATIONS = 2 ** 20;

/**
 * The probe's modules from their bytes (a page or Node; never a Worker, which cannot compile bytes): the relaxed
 * module only where `WebAssembly.validate` accepts it, else why not.
 */
export async function compileWasmPeakModules(
  simd: Uint8Array | ArrayBuffer,
  relaxed: Uint8Array | ArrayBuffer,
): Promise<WasmPeakModules> {
  // a copy on its own ArrayBuffer: what WebAssembly.compile takes whatever buffer a Uint8Array came on
  const own = (b: Uint8Array | ArrayBuffer) => (b instanceof Uint8Array ? new Uint8Array(b) : b);
  const relaxedBytes = own(relaxed);
  return {
    simd: await WebAssembly.compile(own(simd)),
    relaxed: WebAssembly.validate(relaxedBytes)
      ? await WebAssembly.compile(relaxedBytes)
      : { unavailable: 'this runtime has no relaxed SIMD (WebAssembly.validate rejects wasm-peak-relaxed.wasm)' },
  };
}

/** Times every kernel the modules have; a runtime without relaxed SIMD gets those kernels as not available. */
export async function measureWasmPeak(modules: WasmPeakModules, options: WasmPeakOptions = {}): Promise<WasmPeak> {
  const minCallMs = options.minCallMs ?? 50;
  const repetitions = options.repetitions ?? 5;
  if (!(minCallMs > 0)) throw new WasmPeakOptionsError(`minCallMs must be > 0, got ${minCallMs}`);
  if (!Number.isInteger(repetitions) || repetitions < 1)
    throw new WasmPeakOptionsError(`repetitions must be a positive integer, got ${repetitions}`);
  const clock = options.now ?? (() => performance.now());
  const now = async (): Promise<number> => {
    if (options.beforeClock) await options.beforeClock();
    return clock();
  };
  const instances = {
    simd: await WebAssembly.instantiate(modules.simd, {}),
    relaxed: 'unavailable' in modules.relaxed ? undefined : await WebAssembly.instantiate(modules.relaxed, {}),
  };
  const kernels: WasmPeakFigure[] = [];
  for (const kernel of WASM_PEAK_KERNELS) {
    const instance = instances[kernel.module];
    if (!instance) {
      const reason = 'unavailable' in modules.relaxed ? modules.relaxed.unavailable : 'no relaxed SIMD module';
      kernels.push({ kernel: kernel.id, arithmetic: kernel.arithmetic, available: false, reason });
      continue;
    }
    const run = instance.exports[kernel.exportName] as (iterations: number, a: number, b: number) => number;
    if (typeof run !== 'function')
      throw new WasmPeakMismatchError(`the probe module has no export ${kernel.exportName}`);
    const call = async (iterations: number): Promise<number> => {
      const t0 = await now();
      const got = run(iterations, kernel.args[0], kernel.args[1]);
      const ms = (await now()) - t0;
      const want = wasmPeakExpected(kernel, iterations);
      if (got !== want)
        throw new WasmPeakMismatchError(
          `${kernel.exportName}(${iterations}) gave ${got}, the closed form says ${want}`,
        );
      return ms;
    };
    // Calibrate: grow the call until it lasts minCallMs, aiming a little above it (odd, so the closed form moves).
    // The first calls may run in V8's baseline tier (wasm has no on-stack replacement: a call that started there
    // ends there), so a count that lasted long enough is called once more and grown again if the optimised code
    // is faster than the call it was sized on.
    let iterations = 1001;
    let ms = await call(iterations);
    let confirmed = false;
    while (!confirmed) {
      while (ms < minCallMs && iterations < MAX_ITERATIONS) {
        const factor = ms > minCallMs / 20 ? (minCallMs * 1.2) / ms : 16;
        iterations = Math.min(MAX_ITERATIONS - 1, Math.ceil((iterations * factor) / 2) * 2 + 1);
        ms = await call(iterations);
        if (ms <= 0 && iterations >= FROZEN_CLOCK_ITERATIONS)
          throw new WasmPeakClockError(
            `the clock did not move across ${iterations} iterations of ${kernel.exportName}: a frozen clock (in a Worker, pass beforeClock that does I/O)`,
          );
      }
      if (ms < minCallMs)
        throw new WasmPeakClockError(
          `${kernel.exportName} did not last ${minCallMs} ms even at ${iterations} iterations`,
        );
      ms = await call(iterations);
      confirmed = ms >= minCallMs;
    }
    const callsMs: number[] = [];
    for (let r = 0; r < repetitions; r++) callsMs.push(await call(iterations));
    const opsPerCall = iterations * kernel.opsPerIteration;
    const sorted = [...callsMs].sort((a, b) => a - b);
    const median =
      sorted.length % 2
        ? sorted[sorted.length >> 1]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    kernels.push({
      kernel: kernel.id,
      arithmetic: kernel.arithmetic,
      available: true,
      gops: opsPerCall / (sorted[0]! * 1e6),
      medianGops: opsPerCall / (median * 1e6),
      iterations,
      opsPerCall,
      callsMs,
    });
  }
  const best = (arithmetic: 'float32' | 'int8') => {
    const measured = kernels.filter((k) => k.arithmetic === arithmetic && k.available);
    return measured.reduce((a, b) => (b.available && a.available && b.gops > a.gops ? b : a));
  };
  const f32 = best('float32');
  const int8 = best('int8');
  return {
    kernels,
    float32Gflops: f32.available ? f32.gops : 0,
    float32Kernel: f32.kernel,
    int8Gops: int8.available ? int8.gops : 0,
    int8Kernel: int8.kernel,
  };
}
