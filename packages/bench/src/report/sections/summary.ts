import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { chartsFor } from '../charts.ts';
import { isPortable } from '../declared.ts';
import { extraValue, ms, percent, sig, table, times } from '../format.ts';
import { bestOffline, measured } from '../rows.ts';
import { ranOwnWeights, weightsAt } from '../weights-at.ts';
import { prose, type ReportInput, type ReportSection } from './section.ts';

/**
 * The summary: at each input size, which engine to use for single images and for batches (among the engines that
 * run in the caller's process, and among those that need no native addon), then every section's own bullets, how
 * wide the spread is, and a table of every row against the fastest; then the sections' closing lines.
 */

/** What a runner concluded from its own measurements (the edge: which Workers plan its CPU per request fits). */
const verdicts = (r: BackendRun) =>
  (r.extras ?? [])
    .filter((x) => x.verdict)
    .map((x) => ` ${x.name[0].toUpperCase()}${x.name.slice(1)}: ${extraValue(x)}, ${x.verdict}.`)
    .join('');

/** The engines to use at one size, fastest first for each question. */
function ranked(results: BenchResults, size: number) {
  const runs = results.runs.filter((r) => r.size === size && measured(r));
  // Recommendations are among engines that run in the caller's process; an HTTP endpoint is reported beside them.
  const local = runs.some((r) => !r.remote) ? runs.filter((r) => !r.remote) : runs;
  const latency = local.filter((r) => r.singleStream).sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  const throughput = local
    .filter((r) => bestOffline(r))
    .sort((a, b) => bestOffline(b)!.imagesPerSecond! - bestOffline(a)!.imagesPerSecond!);
  return { runs, local, latency, throughput };
}

/** "Use ...": single images, batches, each beside the best engine without a native addon; the HTTP rows. */
function recommendations(results: BenchResults, size: number): string[] {
  const { runs, local, latency, throughput } = ranked(results, size);
  const lines: string[] = [];
  const fastest = latency[0];
  if (fastest) {
    const p50 = fastest.singleStream!.p50;
    const portable = latency.find(isPortable);
    let line = `- **Single images:** use **${fastest.label}**: p50 ${ms(p50)} ms per image.`;
    if (portable && portable !== fastest) {
      const its = portable.singleStream!.p50;
      line += ` Without a native addon (browser, edge): **${portable.label}**, p50 ${ms(its)} ms (${times(its / p50)} the best).`;
    }
    lines.push(line);
  }
  if (throughput.length > 0) {
    const best = throughput[0];
    const b = bestOffline(best)!;
    const portable = throughput.find(isPortable);
    let line = `- **Batches:** use **${best.label}** at batch ${b.batch}: ${sig(b.imagesPerSecond!)} images/s.`;
    if (portable && portable !== best) {
      const p = bestOffline(portable)!;
      const slower = times(b.imagesPerSecond! / p.imagesPerSecond!);
      line += ` Without a native addon: **${portable.label}** at batch ${p.batch}, ${sig(p.imagesPerSecond!)} images/s (${slower} slower).`;
    }
    lines.push(line);
  }
  for (const r of runs.filter((x) => x.remote && x.singleStream && !local.includes(x))) {
    const p50 = r.singleStream!.p50;
    const ratio = fastest ? ` (${times(p50 / fastest.singleStream!.p50)} the fastest in-process engine)` : '';
    lines.push(
      prose`- **Over HTTP:** ${r.label} answers one image in p50 ${ms(p50)} ms${ratio}; that includes HTTP, JSON and the
        server's own preprocessing.${verdicts(r)}`,
    );
  }
  for (const r of local.filter((x) => verdicts(x))) lines.push(`- **${r.label}:**${verdicts(r)}`);
  return lines;
}

/** How much slower the slowest engine is than the fastest (a bullet), and every row against the fastest (a table). */
function spreadAndTable(results: BenchResults, size: number): { spread: string[]; comparison: string } {
  const { runs, latency, throughput } = ranked(results, size);
  const spread: string[] = [];
  const slowest = latency.at(-1);
  if (latency.length > 1 && slowest) {
    const ratio = slowest.singleStream!.p50 / latency[0].singleStream!.p50;
    const wide = ratio >= 10 ? 'The spread is wide: the' : 'The';
    spread.push(`- ${wide} slowest, ${slowest.label}, takes ${times(ratio)} as long per image as the fastest.`);
  }
  const bestP50 = latency[0]?.singleStream!.p50;
  const bestTput = throughput[0] ? bestOffline(throughput[0])!.imagesPerSecond! : undefined;
  const rows = [...runs]
    .sort((a, b) => (a.singleStream?.p50 ?? Infinity) - (b.singleStream?.p50 ?? Infinity))
    .map((r) => {
      const o = bestOffline(r);
      return [
        r.label,
        r.singleStream ? ms(r.singleStream.p50) : '—',
        r.singleStream && bestP50 ? times(r.singleStream.p50 / bestP50) : '—',
        o ? `${sig(o.imagesPerSecond!)} (b=${o.batch})` : '—',
        o && bestTput ? times(bestTput / o.imagesPerSecond!) : '—',
        r.coldStart ? sig(r.coldStart.totalMs / 1000) : '—',
        r.agreement ? percent(r.agreement.top1Accuracy) : '—',
      ];
    });
  const header = ['Backend', 'p50 batch 1 (ms)', '× fastest', 'best images/s', '× fastest', 'cold start (s)', 'top-1'];
  return { spread, comparison: table(header, rows) };
}

/** Which weights a size ran, when that is not simply the run's weights at the size they were trained for. */
function sizesNote(results: BenchResults, size: number): string {
  const w = weightsAt(results, size);
  if (ranOwnWeights(results, size)) {
    const accuracy =
      w.manifestTestAccuracy !== null ? `, ${percent(w.manifestTestAccuracy)} on the test set per its manifest` : '';
    return prose`At ${size} px every row ran the weights trained for ${size} px (\`${w.weightsFile}\`${accuracy}): top-1
      is an accuracy at this size.`;
  }
  const trained = w.trainedInputSize;
  if (trained === null || trained === size) return '';
  return prose`The weights were trained at ${trained} px; at ${size} px only speed and the agreement between engines
    mean something, not the accuracy.`;
}

/** One size's summary: the recommendations, every section's bullets, the spread and the table. */
function summaryAt(input: ReportInput, size: number): string {
  const { results } = input;
  const { spread, comparison } = spreadAndTable(results, size);
  const bullets = [
    ...recommendations(results, size),
    ...input.sections.flatMap((s) => s.summaryAt?.(input, size) ?? []),
    ...spread,
  ];
  if (bullets.length === 0) return '_No backend produced a measurement at this size._';
  return [...bullets, '', comparison].join('\n');
}

export const summary: ReportSection = {
  name: 'summary',
  body: (input) => {
    const charts = chartsFor(input.results);
    const out = ['## Summary', ''];
    for (const size of input.sizes) {
      if (input.withSize) out.push(`### ${size} px`, '');
      const note = sizesNote(input.results, size);
      if (note) out.push(`_${note}_`, '');
      out.push(summaryAt(input, size), '');
      for (const c of charts.filter((x) => x.file.endsWith(`-${size}.svg`))) out.push(`![${c.title}](${c.file})`, '');
    }
    out.push(...input.sections.flatMap((s) => s.summaryEnd?.(input) ?? []));
    return out;
  },
};
