import type { BackendRun } from '../../results/schema.ts';
import { ms, sig, times } from '../format.ts';
import { rowsWith } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

const COLUMNS = ['p50 (ms)', 'p90', 'p99', 'min', 'mean ± 95% MoE', 'samples', 'GFLOP/s', '× fastest p50'];

function latencyTable(runs: readonly BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const withLatency = rowsWith(runs, sizes, (r) => r.singleStream, 'p50');
  const bestBySize = new Map<number, number>();
  for (const [r, s] of withLatency) if (!bestBySize.has(r.size)) bestBySize.set(r.size, s.p50);
  const rows = withLatency.map(([r, s]) => {
    const cells = [ms(s.p50), ms(s.p90), ms(s.p99), ms(s.min), `${ms(s.mean)} ± ${sig(s.rme, 2)}%`, String(s.samples)];
    return sizedRow(r, [...cells, sig(s.gflops), times(s.p50 / bestBySize.get(r.size)!)]);
  });
  return sizedTable(withSize, COLUMNS, rows);
}

/** Batch 1, one call after another: what a caller with one image waits. */
export const latency: ReportSection = {
  name: 'single-stream latency',
  body: ({ ran, sizes, withSize }) =>
    sectionLines('Single-stream latency, batch 1 (ms)', latencyTable(ran, sizes, withSize)),
  methodology: ({ results }) => {
    const s = results.settings.singleStream;
    const warmupTime = s.warmupTimeMs ? ` filling at least ${sig(s.warmupTimeMs / 1000)} s` : '';
    return [
      prose`- **Single-stream (batch 1).** tinybench ${results.versions.tinybench ?? ''}: at least
        ${s.warmupIterations} warm-up call(s)${warmupTime} (not counted: V8 compiles WebAssembly in tiers, and
        onnxruntime-web's first calls are 2–3× slower), then calls until at least ${sig(s.timeMs / 1000)} s and
        ${s.minIterations} calls have passed. p50/p99/min, mean and the 95% margin of error (Student's t) are
        tinybench's; p90 is read from the retained samples with tinybench's own quantile definition.`,
    ];
  },
};
