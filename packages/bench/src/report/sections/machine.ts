import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { percent, sig } from '../format.ts';
import { ranOwnWeights, weightsAt } from '../weights-at.ts';
import { prose, type ReportSection } from './section.ts';
import { wasmPeakMachineLines } from './wasm-peak.ts';

const CONTENTION = prose`- **Contention.** Recorded above: the load average at the start and end, the busiest other processes at the
  start, and for every row the CPU other processes used while it ran (from /proc/stat, minus the bench's own
  processes). Figures taken while other work ran are slower and noisier than on a quiet machine.`;

/** Which rows ran beside other work, from the CPU other processes used meanwhile. */
function contentionLine(runs: readonly BackendRun[]): string {
  const measuredRows = runs.filter((r) => r.otherCores !== undefined);
  if (measuredRows.length === 0) return '- Other processes during each row: not measured (no /proc here)';
  const busy = measuredRows.filter((r) => r.otherCores! >= 0.1 && !r.remote);
  const remote = measuredRows.filter((r) => r.remote);
  const rows = busy.map((r) => `${r.label} @${r.size} px: ${r.otherCores} cores`).join('; ');
  const parts = busy.length
    ? `${rows} (figures of those rows are slowed by contention); every other row: under 0.1 core`
    : 'under 0.1 core on average during every in-process row: the machine was otherwise quiet';
  const server = remote.length
    ? `. HTTP rows count their local server as other work: ${remote.map((r) => `${r.label} ${r.otherCores} cores`).join('; ')}`
    : '';
  return `- CPU used by other processes while each row ran (machine busy time minus the bench's own): ${parts}${server}`;
}

/** ", test accuracy 88.8% per its manifest", or nothing. */
const manifestAccuracy = (accuracy: number | null) =>
  accuracy !== null ? `, test accuracy ${percent(accuracy)} per its manifest` : '';

function machineLines(results: BenchResults): string[] {
  const m = results.machine;
  const busy = m.busyProcesses.length
    ? m.busyProcesses.map((p) => `\`${p.command}\` (${p.cpuPercent}%)`).join(', ')
    : 'none above 5% of a core';
  const versions = Object.entries(results.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const model = results.model;
  const load = m.loadAverage;
  // each size's own share of the run's time (results from before it was recorded have none)
  const bySize = results.durationMsBySize ?? {};
  const sizeMinutes = results.settings.sizes
    .filter((size) => bySize[String(size)] !== undefined)
    .map((size) => `${sig(bySize[String(size)] / 60000)} at ${size} px`);
  return [
    `- CPU: ${m.cpuModel}, ${m.cores} cores (${m.arch}); memory ${sig(m.memoryBytes / 2 ** 30)} GiB`,
    `- OS: ${m.os}, kernel ${m.kernel}; Node ${m.node}`,
    prose`- Load average (1/5/15 min): ${load.start.join(' / ')} at the start, ${load.end.join(' / ')} at the end; other
      busy processes at the start: ${busy}`,
    contentionLine(results.runs),
    `- Packages: ${versions}`,
    ...wasmPeakMachineLines(results),
    prose`- Model: \`${model.weightsFile}\` (${model.storage ?? 'unknown storage'}, trained at ${model.trainedInputSize ?? '?'}
      px${manifestAccuracy(model.manifestTestAccuracy)}), sha256 \`${model.sha256}\``,
    ...results.settings.sizes
      .filter((size) => ranOwnWeights(results, size))
      .map((size) => {
        const w = weightsAt(results, size);
        return prose`- At ${size} px: \`${w.weightsFile}\` (trained at ${size}
          px${manifestAccuracy(w.manifestTestAccuracy)}), sha256 \`${w.sha256}\``;
      }),
    prose`- Run: ${results.createdAt}, profile \`${results.settings.profile}\`, ${sig(results.durationMs / 60000)}
      minutes${sizeMinutes.length ? ` (${sizeMinutes.join(', ')})` : ''}; command \`${results.command}\``,
  ];
}

/** Each engine as its runner reported it, once per row id. */
function factsLines(runs: readonly BackendRun[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of runs) {
    if (!r.facts || seen.has(r.backend)) continue;
    seen.add(r.backend);
    const details = Object.entries(r.facts.details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    lines.push(`- ${r.label}: ${r.facts.engine} ${r.facts.version}${details ? ` (${details})` : ''}`);
  }
  return lines;
}

/** Machine and versions: where the figures come from, and how busy that machine was. */
export const machine: ReportSection = {
  name: 'machine and versions',
  body: ({ results, ran }) => [
    '## Machine and versions',
    '',
    ...machineLines(results),
    '',
    'Engines as loaded:',
    '',
    factsLines(ran).join('\n'),
    '',
  ],
  methodology: () => [CONTENTION],
};
