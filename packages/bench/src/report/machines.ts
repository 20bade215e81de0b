import type { BackendRun, BenchResults, OfflineResult } from '../results/schema.ts';
import { ms, sig, table, times } from './format.ts';
import { gpuLine, harnessTables } from './gpu.ts';

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

const measured = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';

/**
 * The GPU a run used, when it used one: nvidia-smi's name, else PyTorch's CUDA device, else a hardware WebGPU
 * adapter (a software one, lavapipe or SwiftShader, is the CPU and names no GPU).
 */
function gpuOf(m: MachineResults): string | undefined {
  if (m.nvidiaSmi) return gpuLine(m.nvidiaSmi).name;
  const ran = m.results.runs.filter(measured);
  const torch = ran.find((r) => r.engine === 'pytorch' && r.facts?.details.device && r.facts.details.device !== 'cpu');
  if (torch) return String(torch.facts!.details.device);
  const webgpu = ran.find(
    (r) => r.backend === 'tfjs-webgpu' && r.facts?.details.adapter && r.facts.details.software === false,
  );
  return webgpu ? String(webgpu.facts!.details.adapter) : undefined;
}

/** "Intel Xeon, 2 cores" or "NVIDIA H200 (host: AMD EPYC, 16 cores)". */
export function machineName(m: MachineResults): string {
  const host = `${m.results.machine.cpuModel}, ${m.results.machine.cores} cores`;
  const gpu = gpuOf(m);
  return gpu ? `${gpu} (host: ${host})` : host;
}

function bestOffline(r: BackendRun): OfflineResult | undefined {
  return (r.offline ?? [])
    .filter((o) => o.imagesPerSecond !== undefined)
    .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
}

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

/** The sections for the machines after the first; nothing when there are none. */
export function otherMachinesSections(first: MachineResults, others: readonly MachineResults[]): string[] {
  if (others.length === 0) return [];
  const out: string[] = [
    '## Other machines',
    '',
    `Everything above is one machine: ${machineName(first)} (\`${first.file}\`). The runs below are other machines, each on its own date: a ratio between machines compares the machines (and whatever else differed), not the code.`,
    '',
  ];
  others.forEach((m, i) => {
    out.push(`### Machine ${i + 2}: ${machineName(m)}`, '', `From \`${m.file}\`.`, '');
    // harnessTables' headings are one level below its section: here they sit under this machine's heading.
    out.push(...harnessTables(m.results, m.nvidiaSmi).map((l) => (l.startsWith('### ') ? `#${l}` : l)), '');
  });
  out.push('## Across machines', '');
  for (const m of others) {
    out.push(
      `### ${machineName(first)} (here) against ${machineName(m)} (there)`,
      '',
      'p50 latency at batch 1 and the best offline throughput of every row both measured; there / here above 1 means the other machine takes longer per image (for latency) or does more images per second (for throughput).',
      '',
      ratioTable(first, m),
      '',
    );
  }
  return out;
}
