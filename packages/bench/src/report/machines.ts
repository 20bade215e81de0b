import type { BackendRun, BenchResults } from '../results/schema.ts';
import { ms, sig, table, times } from './format.ts';
import { gpuLine, gpuOfRuns } from './gpu.ts';
import { harnessTables } from './harness.ts';
import { bestOffline, measured } from './rows.ts';
import { prose } from '../text/prose.ts';

/**
 * `nin-bench report` given several results files: the first is the report's own machine (every section above),
 * each further one gets a section of its own with the same tables, and each pair (the first against another) a
 * table of ratios over the rows both measured. A GPU machine's harness run is one more machine here.
 */
export interface MachineResults {
  /** the file as given, for the reader to find it */
  readonly file: string;
  readonly results: BenchResults;
  /** nvidia-smi's CSV written beside the results (the GPU kit writes one; the schema has no GPU field) */
  readonly nvidiaSmi?: string;
}

/** The GPU a run used, when it used one: nvidia-smi's name, else what its rows name (gpu.ts gpuOfRuns). */
const gpuOf = (m: MachineResults): string | undefined =>
  m.nvidiaSmi ? gpuLine(m.nvidiaSmi).name : gpuOfRuns(m.results.runs);

/** "Intel Xeon, 2 cores" or "NVIDIA H200 (host: AMD EPYC, 16 cores)". */
export function machineName(m: MachineResults): string {
  const host = `${m.results.machine.cpuModel}, ${m.results.machine.cores} cores`;
  const gpu = gpuOf(m);
  return gpu ? `${gpu} (host: ${host})` : host;
}

/** A machine's heading in the report: "Machine 2: NVIDIA H200 (host: ...)"; `index` counts the other machines from 0. */
export const machineHeading = (m: MachineResults, index: number): string => `Machine ${index + 2}: ${machineName(m)}`;

/** Ratios over the rows (row id and size) both machines measured: p50 there / here, best images/s there / here. */
export function ratioTable(here: MachineResults, there: MachineResults): string {
  const key = (r: BackendRun) => `${r.backend}@${r.size}`;
  const theirs = new Map(there.results.runs.filter(measured).map((r) => [key(r), r]));
  const rows = here.results.runs
    .filter(measured)
    .map((a) => [a, theirs.get(key(a))] as const)
    .filter((pair): pair is readonly [BackendRun, BackendRun] => pair[1] !== undefined);
  if (rows.length === 0) return '_The two machines share no measured row (same backend id and size)._';
  return table(
    ['Backend', 'size', 'p50 here (ms)', 'p50 there', 'there / here', 'best images/s here', 'there', 'there / here'],
    rows.map(([a, b]) => {
      const pa = a.singleStream?.p50;
      const pb = b.singleStream?.p50;
      const ta = bestOffline(a);
      const tb = bestOffline(b);
      return [
        a.label,
        String(a.size),
        pa === undefined ? '—' : ms(pa),
        pb === undefined ? '—' : ms(pb),
        pa === undefined || pb === undefined ? '—' : times(pb / pa),
        ta ? `${sig(ta.imagesPerSecond!)} (batch ${ta.batch})` : '—',
        tb ? `${sig(tb.imagesPerSecond!)} (batch ${tb.batch})` : '—',
        ta && tb ? times(tb.imagesPerSecond! / ta.imagesPerSecond!) : '—',
      ];
    }),
  );
}

const RATIOS = prose`p50 latency at batch 1 and the best offline throughput of every row both measured; there / here above 1
  means the other machine takes longer per image (for latency) or does more images per second (for throughput).`;

/** The sections for the machines after the first; nothing when there are none. */
export function otherMachinesSections(first: MachineResults, others: readonly MachineResults[]): string[] {
  if (others.length === 0) return [];
  const out: string[] = [
    '## Other machines',
    '',
    prose`Everything above is one machine: ${machineName(first)} (\`${first.file}\`). The runs below are other machines,
      each on its own date: a ratio between machines compares the machines (and whatever else differed), not the code.`,
    '',
  ];
  others.forEach((m, i) => {
    out.push(`### ${machineHeading(m, i)}`, '', `From \`${m.file}\`.`, '');
    // harnessTables' headings are one level below its section: here they sit under this machine's heading.
    out.push(...harnessTables(m.results, m.nvidiaSmi).map((l) => (l.startsWith('### ') ? `#${l}` : l)), '');
  });
  out.push('## Across machines', '');
  for (const m of others) {
    out.push(
      `### ${machineName(first)} (here) against ${machineName(m)} (there)`,
      '',
      RATIOS,
      '',
      ratioTable(first, m),
      '',
    );
  }
  return out;
}
