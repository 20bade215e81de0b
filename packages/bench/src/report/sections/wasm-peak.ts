import type { WasmPeakFigure } from '@nin-bench/core-nin/probe/wasm-peak';
import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { wasmPeakFromFacts } from '../../results/wasm-peak-facts.ts';
import { wasmArithmetic } from '../declared.ts';
import { percent, sig } from '../format.ts';
import { measured } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

/**
 * "How far from the limit": each WebAssembly row's achieved GFLOP/s against the WebAssembly peak probe's figure
 * (core-nin/src/probe/wasm-peak.ts) for the arithmetic it does, in the runtime it ran in: a Node row against the
 * bench's own Node probe, a browser row against its page's, an edge row against its Worker's. A results file
 * without probe figures gets none of this (the report is what it was). Pure, like the rest of the report.
 */

/** Kernel ids in words. */
const KERNEL_NAMES: Readonly<Record<string, string>> = {
  'f32x4-mul-add': 'f32x4.mul + f32x4.add',
  'f32x4-relaxed-madd': 'f32x4.relaxed_madd',
  'i32x4-dot-i16x8': 'i32x4.dot_i16x8_s + i32x4.add',
  'i32x4-relaxed-dot-i8x16-i7x16': 'i32x4.relaxed_dot_i8x16_i7x16_add_s',
};
const kernelName = (id: string) => KERNEL_NAMES[id] ?? id;

const INTRO = prose`Each WebAssembly row's best GFLOP/s (single-stream or any offline batch) against the peak of the arithmetic it
  does, measured by the WebAssembly peak probe in the runtime the row ran in (Node rows: the bench's own Node; browser
  rows: their page; edge rows: their Worker): float32 rows against the fastest float32 multiply-add (f32x4.relaxed_madd
  where the runtime has relaxed SIMD, else f32x4.mul + f32x4.add), int8 rows against the fastest integer dot product
  (i32x4.dot_i16x8_s, or relaxed_dot_i8x16_i7x16_add_s where the runtime has it and it is faster). The peak is one
  thread's; a row with more threads is read against that many times it. A row's GFLOP/s counts the model's
  multiply-adds, two ops each, whatever arithmetic it does them in.`;

const METHOD = prose`- **WebAssembly peak** (core-nin/src/probe/wasm-peak.wat and wasm-peak-relaxed.wat, timed by wasm-peak.ts):
  one thread, 12 independent v128 accumulators, each step feeding the accumulator back into its own multiply (so no
  engine can hoist it) and mapping it to c − acc, so every answer is a small exact integer checked against a closed
  form. Kernels and op counts: f32x4.mul + f32x4.add and f32x4.relaxed_madd, 2 float32 ops per lane (8 per step);
  i32x4.dot_i16x8_s + i32x4.add, 16 ops per step (8 i16 products, 8 additions); i32x4.relaxed_dot_i8x16_i7x16_add_s,
  32 ops per step (16 i8 × i7 products, 16 additions). Relaxed SIMD is a separate module, reported as not available
  where the runtime rejects it (Node 20). Each kernel: calls grown until one lasts at least 50 ms, then 5 such calls;
  the best counts. The bench runs it once in its own Node before the rows, in each browser wasm row's page after the
  engine's init, and in each edge row's Worker (GET /probe, on only in the bench's wrangler dev).`;

/** One wasm row read against its runtime's peak. */
export interface WasmRowPeak {
  readonly run: BackendRun;
  readonly arithmetic: 'float32' | 'int8';
  /** the row's best GFLOP/s (single-stream or any offline batch) and where */
  readonly achieved: number;
  readonly achievedAt: string;
  /** the probe's one-thread peak of that arithmetic there, and its kernel */
  readonly peakPerThread: number;
  readonly kernel: string;
  /** the runtime whose probe it is */
  readonly runtime: string;
  /** the row's threads (facts), 1 when it does not say */
  readonly threads: number;
  /** achieved / (peakPerThread × threads) */
  readonly fraction: number;
}

function bestGflops(run: BackendRun): { gflops: number; at: string } | null {
  const candidates = [
    ...(run.singleStream ? [{ gflops: run.singleStream.gflops, at: 'batch 1' }] : []),
    ...(run.offline ?? []).flatMap((o) => (o.gflops ? [{ gflops: o.gflops, at: `batch ${o.batch}` }] : [])),
  ];
  return candidates.reduce<{ gflops: number; at: string } | null>((a, b) => (a && a.gflops >= b.gflops ? a : b), null);
}

/** The runtime a browser or edge row's own probe ran in, from its facts. */
function ownRuntime(run: BackendRun): string {
  const d = run.facts?.details;
  if (run.browser && typeof d?.browser === 'string') return d.browser;
  if (typeof d?.wasmPeakRuntime === 'string') return d.wasmPeakRuntime;
  return run.remote ? 'the Worker (workerd)' : 'its own runtime';
}

/** Every measured wasm row (at `size`, or all) that has a peak to be read against, in the run's order. */
export function wasmRowPeaks(results: BenchResults, size?: number): WasmRowPeak[] {
  const out: WasmRowPeak[] = [];
  for (const run of results.runs) {
    if (!measured(run) || (size !== undefined && run.size !== size)) continue;
    const arithmetic = wasmArithmetic(run);
    const best = bestGflops(run);
    if (!arithmetic || !best) continue;
    const own = wasmPeakFromFacts(run.facts);
    const node = !run.browser && !run.remote ? results.wasmPeak : undefined;
    const peak = own ?? node;
    if (!peak) continue;
    const peakPerThread = arithmetic === 'float32' ? peak.float32Gflops : peak.int8Gops;
    if (!(peakPerThread > 0)) continue;
    const t = run.facts?.details.threads;
    const threads = typeof t === 'number' && t >= 1 ? t : 1;
    out.push({
      run,
      arithmetic,
      achieved: best.gflops,
      achievedAt: best.at,
      peakPerThread,
      kernel: arithmetic === 'float32' ? peak.float32Kernel : peak.int8Kernel,
      runtime: own ? ownRuntime(run) : node!.runtime,
      threads,
      fraction: best.gflops / (peakPerThread * threads),
    });
  }
  return out;
}

export const hasWasmPeaks = (results: BenchResults): boolean => wasmRowPeaks(results).length > 0;

/** The summary line for one size: how far the fastest wasm row is from its peak; null without probe figures. */
export function wasmPeakSummaryLine(results: BenchResults, size: number): string | null {
  const rows = wasmRowPeaks(results, size);
  if (rows.length === 0) return null;
  const fastest = rows.reduce((a, b) => (b.achieved > a.achieved ? b : a));
  const closest = rows.reduce((a, b) => (b.fraction > a.fraction ? b : a));
  const peakOf = (r: WasmRowPeak) => {
    const threads = r.threads > 1 ? ` × ${r.threads} threads` : '';
    return `${sig(r.peakPerThread)} G${r.arithmetic === 'float32' ? 'FLOP' : 'OP'}/s per thread, ${kernelName(r.kernel)}${threads}`;
  };
  let line = prose`- **How far from the WebAssembly limit:** the fastest WebAssembly row, **${fastest.run.label}**, reaches
    ${sig(fastest.achieved)} GFLOP/s (${fastest.achievedAt}): ${percent(fastest.fraction, 0)} of the
    ${fastest.arithmetic} peak where it ran (${peakOf(fastest)}; ${fastest.runtime}).`;
  if (closest !== fastest) {
    const of = `${sig(closest.achieved)} of ${sig(closest.peakPerThread * closest.threads)}`;
    line += ` Closest to its own peak: ${closest.run.label}, ${percent(closest.fraction, 0)} (${of}).`;
  }
  return line;
}

/** The section: one row per wasm row with its % of peak. */
export function wasmPeakSection(results: BenchResults, withSize: boolean): string {
  const rows = wasmRowPeaks(results).map((r) =>
    sizedRow(r.run, [
      r.arithmetic,
      `${sig(r.achieved)} (${r.achievedAt})`,
      `${sig(r.peakPerThread)} (${kernelName(r.kernel)})`,
      String(r.threads),
      percent(r.fraction, 0),
    ]),
  );
  const columns = ['arithmetic', 'best GFLOP/s', 'peak per thread (G ops/s)', 'threads', '% of peak'];
  return [INTRO, '', sizedTable(withSize, columns, rows)].join('\n');
}

const figureText = (k: WasmPeakFigure): string =>
  k.available
    ? `${kernelName(k.kernel)} ${sig(k.gops)} G${k.arithmetic === 'float32' ? 'FLOP' : 'OP'}/s`
    : `${kernelName(k.kernel)} not available`;

/** Machine and versions: every probe the run took (Node's in full; each browser and Worker runtime once). */
export function wasmPeakMachineLines(results: BenchResults): string[] {
  const lines: string[] = [];
  const node = results.wasmPeak;
  if (node)
    lines.push(`- WebAssembly peak, one thread, in ${node.runtime}: ${node.kernels.map(figureText).join('; ')}`);
  const seen = new Set<string>();
  for (const run of results.runs) {
    const own = wasmPeakFromFacts(run.facts);
    if (!own || !measured(run)) continue;
    const runtime = ownRuntime(run);
    if (seen.has(runtime)) continue;
    seen.add(runtime);
    const every = run.facts?.details.wasmPeakKernels;
    const all = typeof every === 'string' ? `; every kernel (G ops/s): ${every}` : '';
    lines.push(
      prose`- WebAssembly peak, one thread, in ${runtime} (first measured by ${run.label}): float32
        ${sig(own.float32Gflops)} GFLOP/s (${kernelName(own.float32Kernel)}), int8 ${sig(own.int8Gops)} GOP/s
        (${kernelName(own.int8Kernel)})${all}`,
    );
  }
  return lines;
}

/** The methodology bullet, when the run has probe figures. */
export function wasmPeakMethodology(results: BenchResults): string[] {
  if (!results.wasmPeak && !results.runs.some((r) => wasmPeakFromFacts(r.facts))) return [];
  return [METHOD];
}

/** How far each WebAssembly row is from the peak of its runtime: a summary bullet, a table, the probe's method. */
export const wasmPeak: ReportSection = {
  name: 'how far from the WebAssembly peak',
  summaryAt: ({ results }, size) => {
    const line = wasmPeakSummaryLine(results, size);
    return line ? [line] : [];
  },
  body: ({ results, withSize }) =>
    hasWasmPeaks(results) ? sectionLines('How far from the WebAssembly peak', wasmPeakSection(results, withSize)) : [],
  methodology: ({ results }) => wasmPeakMethodology(results),
};
