import type { BackendRun, OfflineResult } from '../../results/schema.ts';
import { sig, times } from '../format.ts';
import { bestOffline, bySizeThen } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

function offlineTables(
  runs: readonly BackendRun[],
  sizes: readonly number[],
  batches: readonly number[],
  withSize: boolean,
): string {
  const notes: string[] = [];
  const noteFor = (text: string): string => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `n/a[^${i + 1}]`;
  };
  const withOffline = runs.filter((r) => r.offline);
  const bestBySize = new Map<number, number>();
  for (const r of withOffline) {
    const b = bestOffline(r)?.imagesPerSecond ?? 0;
    bestBySize.set(r.size, Math.max(bestBySize.get(r.size) ?? 0, b));
  }
  const sorted = [...withOffline].sort(bySizeThen(sizes, (r) => -(bestOffline(r)?.imagesPerSecond ?? 0)));
  const cell = (r: BackendRun, batch: number, render: (o: OfflineResult) => string): string => {
    const o = r.offline!.find((p) => p.batch === batch);
    if (!o) return '—';
    if (o.skipped) return noteFor(o.skipped);
    return render(o);
  };
  const tput = sorted.map((r) => {
    const best = bestOffline(r)?.imagesPerSecond;
    const cells = batches.map((b) => cell(r, b, (o) => `${sig(o.imagesPerSecond!)} ± ${sig(o.rme!, 2)}%`));
    return sizedRow(r, [...cells, best ? times(bestBySize.get(r.size)! / best) : '—']);
  });
  const flops = sorted.map((r) =>
    sizedRow(
      r,
      batches.map((b) => cell(r, b, (o) => sig(o.gflops!))),
    ),
  );
  const columns = batches.map((b) => `batch ${b}`);
  const parts = [
    '### Throughput (images/s, mean ± 95% margin of error)',
    '',
    sizedTable(withSize, [...columns, 'best vs fastest'], tput),
    '',
    '### Achieved GFLOP/s',
    '',
    sizedTable(withSize, columns, flops),
  ];
  if (notes.length) parts.push('', ...notes.map((n, i) => `[^${i + 1}]: ${n}`));
  return parts.join('\n');
}

/** Batches as large as the profile allows: images per second, and the GFLOP/s they reach. */
export const throughput: ReportSection = {
  name: 'offline throughput',
  body: ({ results, ran, sizes, withSize }) =>
    sectionLines('Offline throughput', offlineTables(ran, sizes, results.settings.offline.batches, withSize)),
  methodology: ({ results }) => {
    const o = results.settings.offline;
    const macs = Object.entries(results.model.multiplyAdds)
      .map(([size, n]) => `${Number(n).toLocaleString('en-US')} at ${size} px`)
      .join(', ');
    return [
      prose`- **Offline throughput.** For each batch size (${o.batches.join(', ')}): one warm-up call (untimed; a batch
        size whose warm-up call takes over ${sig(o.maxCallMs / 1000)} s, or would by the fastest per-image time already
        seen, is skipped and marked n/a with the reason), then tinybench for at least ${sig(o.timeMs / 1000)} s and
        ${o.minIterations} calls. images/s = batch × 1000 / mean batch latency (ms); its ± is the relative margin of
        error of that mean.`,
      prose`- **GFLOP/s** = 2 × multiply-adds per image × images/s / 10⁹, with the model's own count of convolution
        multiply-adds (${macs}; pooling and ReLU not counted).`,
    ];
  },
};
