import { describe, expect, it } from 'vitest';
import type { BackendRun, BenchResults, WasmPeakRecord } from '../../results/schema.ts';
import { wasmPeakDetails } from '../../results/wasm-peak-facts.ts';
import { renderReport } from '../report.ts';
import { readResults } from '../write.ts';
import { wasmPeakSection, wasmPeakSummaryLine, wasmRowPeaks } from './wasm-peak.ts';

const FIXTURE = new URL('../../../test/fixtures/results.json', import.meta.url);

const NODE_PEAK: WasmPeakRecord = {
  runtime: 'Node v20.20.2 (V8 11.3.244.8-node.33)',
  kernels: [
    {
      kernel: 'f32x4-mul-add',
      arithmetic: 'float32',
      available: true,
      gops: 44,
      medianGops: 43,
      iterations: 3,
      opsPerCall: 288,
      callsMs: [50],
    },
    {
      kernel: 'i32x4-dot-i16x8',
      arithmetic: 'int8',
      available: true,
      gops: 88,
      medianGops: 87,
      iterations: 3,
      opsPerCall: 576,
      callsMs: [50],
    },
    {
      kernel: 'f32x4-relaxed-madd',
      arithmetic: 'float32',
      available: false,
      reason: 'this runtime has no relaxed SIMD',
    },
    {
      kernel: 'i32x4-relaxed-dot-i8x16-i7x16',
      arithmetic: 'int8',
      available: false,
      reason: 'this runtime has no relaxed SIMD',
    },
  ],
  float32Gflops: 44,
  float32Kernel: 'f32x4-mul-add',
  int8Gops: 88,
  int8Kernel: 'i32x4-dot-i16x8',
};

/** The fixture with probe figures: Node's, a browser row (2 threads) with its page's, an int8 edge row with its Worker's. */
async function withProbes(): Promise<BenchResults> {
  const results = await readResults(FIXTURE.pathname);
  const wasm67 = results.runs.find((r) => r.backend === 'tfjs-wasm-simd' && r.size === 67)!;
  const browserRow: BackendRun = {
    ...wasm67,
    backend: 'browser-tfjs-wasm-simd-all',
    label: 'tfjs wasm SIMD 2 threads (browser)',
    browser: true,
    facts: {
      engine: 'tfjs',
      version: '4.22.0',
      details: {
        browser: 'Chromium 140.0.1 (headless)',
        threads: 2,
        ...wasmPeakDetails({ ...NODE_PEAK, float32Gflops: 5.5, float32Kernel: 'f32x4-relaxed-madd', int8Gops: 66 }),
      },
    },
  };
  const edgeRow: BackendRun = {
    ...wasm67,
    backend: 'edge-100-onnx-int8',
    label: 'edge endpoint 67 px, onnxruntime-web int8',
    engine: 'edge',
    remote: true,
    facts: {
      engine: 'edge',
      version: '1',
      details: {
        wasmPeakRuntime: 'workerd 1.2 (wrangler dev)',
        ...wasmPeakDetails({
          ...NODE_PEAK,
          float32Gflops: 60,
          int8Gops: 22.4,
          int8Kernel: 'i32x4-relaxed-dot-i8x16-i7x16',
        }),
      },
    },
  };
  return { ...results, wasmPeak: NODE_PEAK, runs: [...results.runs, browserRow, edgeRow] };
}

describe('how far from the WebAssembly peak', () => {
  it('reads each wasm row against the peak of its arithmetic where it ran, times its threads', async () => {
    const rows = wasmRowPeaks(await withProbes());
    expect(
      rows.map((r) => [r.run.backend, r.run.size, r.arithmetic, r.achievedAt, r.peakPerThread, r.threads, r.kernel]),
    ).toEqual([
      // tfjs wasm in Node: its best is batch 4 at 67 px (11.2), batch 1 single-stream at 71 px (11.0)
      ['tfjs-wasm-simd', 67, 'float32', 'batch 4', 44, 1, 'f32x4-mul-add'],
      ['tfjs-wasm-simd', 71, 'float32', 'batch 1', 44, 1, 'f32x4-mul-add'],
      ['browser-tfjs-wasm-simd-all', 67, 'float32', 'batch 4', 5.5, 2, 'f32x4-relaxed-madd'],
      ['edge-100-onnx-int8', 67, 'int8', 'batch 4', 22.4, 1, 'i32x4-relaxed-dot-i8x16-i7x16'],
    ]);
    expect(rows[0]!.fraction).toBeCloseTo(11.203423013595687 / 44, 12);
    expect(rows[2]!.fraction).toBeCloseTo(11.203423013595687 / 11, 12);
    expect(rows[3]!.fraction).toBeCloseTo(11.203423013595687 / 22.4, 12);
  });

  it('says in the summary how far the fastest wasm row is from its peak, and which is closest to its own', async () => {
    const results = await withProbes();
    expect(wasmPeakSummaryLine(results, 67)).toBe(
      '- **How far from the WebAssembly limit:** the fastest WebAssembly row, **tfjs wasm SIMD**, reaches 11.2 GFLOP/s ' +
        '(batch 4): 25% of the float32 peak where it ran (44 GFLOP/s per thread, f32x4.mul + f32x4.add; Node v20.20.2 ' +
        '(V8 11.3.244.8-node.33)). Closest to its own peak: tfjs wasm SIMD 2 threads (browser), 102% (11.2 of 11).',
    );
    expect(wasmPeakSummaryLine(results, 71)).toMatch(/\*\*tfjs wasm SIMD\*\*, reaches 11 GFLOP\/s \(batch 1\): 25% /);
    expect(wasmPeakSection(results, true)).toContain(
      '| edge endpoint 67 px, onnxruntime-web int8 | 67 | int8 | 11.2 (batch 4) | 22.4 (i32x4.relaxed_dot_i8x16_i7x16_add_s) | 1 | 50% |',
    );
  });

  it('renders a file with probes to its golden report; a file without them has no peak text at all', async () => {
    const md = renderReport(await withProbes());
    expect(md).toContain('## How far from the WebAssembly peak');
    expect(md).toContain(
      '- WebAssembly peak, one thread, in Node v20.20.2 (V8 11.3.244.8-node.33): f32x4.mul + f32x4.add 44 GFLOP/s; ' +
        'i32x4.dot_i16x8_s + i32x4.add 88 GOP/s; f32x4.relaxed_madd not available; i32x4.relaxed_dot_i8x16_i7x16_add_s not available',
    );
    expect(md).toContain(
      '- WebAssembly peak, one thread, in workerd 1.2 (wrangler dev) (first measured by edge endpoint 67 px, onnxruntime-web ' +
        'int8): float32 60 GFLOP/s (f32x4.mul + f32x4.add), int8 22.4 GOP/s (i32x4.relaxed_dot_i8x16_i7x16_add_s)',
    );
    await expect(md).toMatchFileSnapshot('../../../test/fixtures/report-wasm-peak.golden.md');
    expect(renderReport(await readResults(FIXTURE.pathname))).not.toMatch(/WebAssembly peak|% of peak/);
  });

  it("takes a row's arithmetic from the registry's declaration, not its name; a row the registry does not know has none", async () => {
    const results = await withProbes();
    const edge = results.runs.at(-1)!;
    // the same row under an id the registry does not have (an older file's, say): no declared arithmetic, no peak
    const unknown = { ...edge, backend: 'edge-67-onnx-int8' };
    // a declared float32 wasm row named like an int8 one is still float32: its declaration says so
    const float = { ...edge, backend: 'browser-onnxruntime-web-1t', label: 'looks like int8' };
    const rows = wasmRowPeaks({ ...results, runs: [unknown, float] });
    expect(rows.map((r) => [r.run.backend, r.arithmetic])).toEqual([['browser-onnxruntime-web-1t', 'float32']]);
  });
});
