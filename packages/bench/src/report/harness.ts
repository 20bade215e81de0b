import type { BackendRun, BenchResults } from '../results/schema.ts';
import { extraValue, ms, percent, sig, small, table, times } from './format.ts';
import { gpuLine, when } from './gpu.ts';
import { measured, rowsWith } from './rows.ts';
import { prose } from '../text/prose.ts';

/** Where and how the run was taken: the command, the machine, the model, each engine's facts, what did not run. */
function harnessIntro(h: BenchResults, rows: readonly BackendRun[], nvidiaSmi: string | undefined): string[] {
  const size = h.settings.sizes[0];
  const facts = [...new Map(rows.filter((r) => r.facts).map((r) => [r.backend, r])).values()].map((r) => {
    const d = Object.entries(r.facts!.details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return `- ${r.label}: ${r.facts!.engine} ${r.facts!.version}${d ? ` (${d})` : ''}`;
  });
  const m = h.machine;
  const notRun = h.runs
    .filter((r) => !measured(r) && r.size === size)
    .map((r) => `- ${r.label}: ${r.status} (${r.reason ?? ''})`);
  return [
    prose`Taken by this harness (\`${h.command}\`, profile \`${h.settings.profile}\`, ${size} px) on ${when(h.createdAt)}:
      the same scenarios and statistics as the CPU rows above (see Methodology).`,
    '',
    ...(nvidiaSmi ? [`- GPU: ${gpuLine(nvidiaSmi).text}`] : []),
    `- Host: ${m.cpuModel}, ${m.cores} cores, ${sig(m.memoryBytes / 2 ** 30)} GiB; ${m.os}; Node ${m.node}`,
    `- Model: \`${h.model.weightsFile}\`, sha256 \`${h.model.sha256}\``,
    ...facts,
    ...(notRun.length ? ['', 'Rows that did not run there:', '', ...notRun] : []),
  ];
}

function latencyTable(rows: readonly BackendRun[], size: number): string {
  const latency = rowsWith(rows, [size], (r) => r.singleStream, 'p50');
  const bestP50 = latency[0]?.[1].p50;
  return table(
    ['Backend', 'p50 (ms)', 'p90', 'p99', 'min', 'samples', '× fastest p50'],
    latency.map(([r, s]) => [
      r.label,
      ms(s.p50),
      ms(s.p90),
      ms(s.p99),
      ms(s.min),
      String(s.samples),
      times(s.p50 / bestP50!),
    ]),
  );
}

function throughputTable(rows: readonly BackendRun[], batches: readonly number[]): string {
  const cell = (r: BackendRun, b: number) => {
    const o = r.offline!.find((p) => p.batch === b);
    if (o?.imagesPerSecond !== undefined) return `${sig(o.imagesPerSecond)} ± ${sig(o.rme ?? NaN, 2)}%`;
    return o?.skipped ? `n/a (${o.skipped})` : '—';
  };
  const tput = rows.filter((r) => r.offline).map((r) => [r.label, ...batches.map((b) => cell(r, b))]);
  return table(['Backend', ...batches.map((b) => `batch ${b}`)], tput);
}

function agreementTable(rows: readonly BackendRun[], size: number, reference: string): string {
  return table(
    ['Backend', 'images', 'top-1 accuracy', 'same top-1 as cpu', 'max |Δ logit| vs cpu'],
    rowsWith(rows, [size], (r) => r.agreement).map(([r, a]) => {
      const ref = r.backend === reference;
      return [
        r.label,
        String(a.images),
        percent(a.top1Accuracy),
        ref ? 'reference' : a.top1MatchesReference === null ? '—' : percent(a.top1MatchesReference, 2),
        ref ? 'reference' : small(a.maxAbsLogitDiff),
      ];
    }),
  );
}

function coldStartTable(rows: readonly BackendRun[], size: number): string {
  return table(
    ['Backend', 'process', 'engine init', 'weights load', 'first inference', 'total'],
    rowsWith(rows, [size], (r) => r.coldStart, 'totalMs').map(([r, c]) => [
      r.label,
      ...[c.processMs, c.initMs, c.loadMs, c.firstInferenceMs, c.totalMs].map(ms),
    ]),
  );
}

function extrasLines(rows: readonly BackendRun[]): string[] {
  if (!rows.some((r) => r.extras?.length)) return [];
  const extras = rows.flatMap((r) =>
    (r.extras ?? []).map((x) => [r.label, x.name, extraValue(x), [x.verdict, x.note].filter(Boolean).join('. ')]),
  );
  return [
    '',
    '### Runner-specific measurements',
    '',
    table(['Backend', 'measurement', 'value', 'how it was taken'], extras, ['l', 'l', 'r', 'l']),
  ];
}

/**
 * The harness's own run on another machine (the GPU one, or any `nin-bench report` is given): the same tables as
 * the CPU rows, at the run's first size.
 */
export function harnessTables(h: BenchResults, nvidiaSmi: string | undefined): string[] {
  const size = h.settings.sizes[0];
  const rows = h.runs.filter(measured).filter((r) => r.size === size);
  return [
    ...harnessIntro(h, rows, nvidiaSmi),
    '',
    '### Single-stream latency, batch 1 (ms)',
    '',
    latencyTable(rows, size),
    '',
    '### Throughput (images/s, mean ± 95% margin of error)',
    '',
    throughputTable(rows, h.settings.offline.batches),
    '',
    '### Agreement with tfjs cpu',
    '',
    agreementTable(rows, size, h.settings.agreement.reference),
    '',
    '### Cold start (ms)',
    '',
    coldStartTable(rows, size),
    ...extrasLines(rows),
  ];
}
