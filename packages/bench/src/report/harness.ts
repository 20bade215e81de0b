import type { BenchResults } from '../results/schema.ts';
import { extraValue, ms, percent, sig, small, table, times } from './format.ts';
import { gpuLine, when } from './gpu.ts';
import { measured } from './rows.ts';
import { prose } from './prose.ts';

/** The harness's own run on another machine (the GPU one, or any `nin-bench report` is given): the same tables as the CPU rows. */
export function harnessTables(h: BenchResults, nvidiaSmi: string | undefined): string[] {
  const ran = h.runs.filter(measured);
  const size = h.settings.sizes[0];
  const rows = ran.filter((r) => r.size === size);
  const facts = [...new Map(rows.filter((r) => r.facts).map((r) => [r.backend, r])).values()].map((r) => {
    const d = Object.entries(r.facts!.details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return `- ${r.label}: ${r.facts!.engine} ${r.facts!.version}${d ? ` (${d})` : ''}`;
  });
  const latency = rows.filter((r) => r.singleStream).sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  const bestP50 = latency[0]?.singleStream!.p50;
  const batches = h.settings.offline.batches;
  const tput = rows
    .filter((r) => r.offline)
    .map((r) => [
      r.label,
      ...batches.map((b) => {
        const o = r.offline!.find((p) => p.batch === b);
        return o?.imagesPerSecond !== undefined
          ? `${sig(o.imagesPerSecond)} ± ${sig(o.rme ?? NaN, 2)}%`
          : o?.skipped
            ? `n/a (${o.skipped})`
            : '—';
      }),
    ]);
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
    '',
    '### Single-stream latency, batch 1 (ms)',
    '',
    table(
      ['Backend', 'p50 (ms)', 'p90', 'p99', 'min', 'samples', '× fastest p50'],
      latency.map((r) => {
        const s = r.singleStream!;
        return [r.label, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.min), String(s.samples), times(s.p50 / bestP50!)];
      }),
    ),
    '',
    '### Throughput (images/s, mean ± 95% margin of error)',
    '',
    table(['Backend', ...batches.map((b) => `batch ${b}`)], tput),
    '',
    '### Agreement with tfjs cpu',
    '',
    table(
      ['Backend', 'images', 'top-1 accuracy', 'same top-1 as cpu', 'max |Δ logit| vs cpu'],
      rows
        .filter((r) => r.agreement)
        .map((r) => {
          const a = r.agreement!;
          const ref = r.backend === h.settings.agreement.reference;
          return [
            r.label,
            String(a.images),
            percent(a.top1Accuracy),
            ref ? 'reference' : a.top1MatchesReference === null ? '—' : percent(a.top1MatchesReference, 2),
            ref ? 'reference' : small(a.maxAbsLogitDiff),
          ];
        }),
    ),
    '',
    '### Cold start (ms)',
    '',
    table(
      ['Backend', 'process', 'engine init', 'weights load', 'first inference', 'total'],
      rows
        .filter((r) => r.coldStart)
        .sort((a, b) => a.coldStart!.totalMs - b.coldStart!.totalMs)
        .map((r) => {
          const c = r.coldStart!;
          return [r.label, ms(c.processMs), ms(c.initMs), ms(c.loadMs), ms(c.firstInferenceMs), ms(c.totalMs)];
        }),
    ),
    ...(rows.some((r) => r.extras?.length)
      ? [
          '',
          '### Runner-specific measurements',
          '',
          table(
            ['Backend', 'measurement', 'value', 'how it was taken'],
            rows.flatMap((r) =>
              (r.extras ?? []).map((x) => [
                r.label,
                x.name,
                extraValue(x),
                [x.verdict, x.note].filter(Boolean).join('. '),
              ]),
            ),
            ['l', 'l', 'r', 'l'],
          ),
        ]
      : []),
  ];
}
