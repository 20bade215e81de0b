import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { ms, sig } from '../format.ts';
import { kitDate, kitRows, kitTables, type KitRow } from '../gpu-kit.ts';
import { GPU_FILES, gpuLine, gpuOfRuns, type GpuInputs } from '../gpu.ts';
import { harnessTables } from '../harness.ts';
import { machineHeading } from '../machines.ts';
import { bestOffline, measured } from '../rows.ts';
import { prose, type ReportInput, type ReportSection } from './section.ts';

/**
 * On a GPU (another machine): figures from a machine with an NVIDIA GPU, which is never the machine `npm run bench`
 * ran on. Two sources, both committed JSON (gpu-files.ts reads them): the bench harness itself run there
 * (`results/bench-gpu/results.json`, shown as a machine of its own when the report was given it: machines.ts), and
 * the GPU kit's own measurements (gpu-kit.ts).
 */

const ANOTHER_MACHINE = prose`**These rows come from another machine on another date than everything above**: a machine with an
  NVIDIA GPU, reached through the GPU kit (\`packages/core-nin/gpu-kit\`). Do not compare them with the CPU rows as if
  measured side by side.`;

const HARNESS_NOT_YET = prose`_The bench harness itself has not yet run on a GPU (no \`results/${GPU_FILES.harness}\`): the kit's
  README says how one device call produces it. Until then, the kit's own figures:_`;

/** The heading of the machine section that shows the harness's GPU run, when the report was given it as a machine. */
function harnessMachineHeading({ gpu, extras }: ReportInput): string | undefined {
  if (!extras.gpuHarnessAmongOthers || !gpu?.harness) return undefined;
  const others = extras.others ?? [];
  const i = others.findIndex(
    (m) => m.results.createdAt === gpu.harness!.createdAt && m.results.command === gpu.harness!.command,
  );
  return i < 0 ? "its machine's section" : `"${machineHeading(others[i]!, i)}"`;
}

/** What this run knows about a GPU here: a device or hardware adapter its rows name, else a software adapter. */
function gpuHere(results: BenchResults): string {
  const named = gpuOfRuns(results.runs);
  if (named) return `, GPU ${named}`;
  const software = results.runs.some((r) => measured(r) && r.facts?.details.software === true);
  return software ? ', no GPU (its webgpu adapter is a software driver: a CPU emulating a GPU)' : '';
}

/** The harness's GPU run in one bullet: every row's p50, and its best batches. */
function harnessBullet(harness: BenchResults, gpuName: string, seeAlso: string): string | undefined {
  const ran = harness.runs
    .filter((r) => measured(r) && r.singleStream)
    .sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  if (ran.length === 0) return undefined;
  const list = ran.map((r) => `${r.label} ${ms(r.singleStream!.p50)} ms`).join(', ');
  const best = (r: BackendRun) => bestOffline(r)!;
  const batches = harness.runs
    .filter((r) => measured(r) && bestOffline(r))
    .sort((a, b) => best(b).imagesPerSecond! - best(a).imagesPerSecond!)
    .map((r) => `${r.label} ${sig(best(r).imagesPerSecond!)} images/s (batch ${best(r).batch})`);
  const tput = batches.length ? `; batches: ${batches.join(', ')}` : '';
  return prose`- **On an NVIDIA GPU** (${gpuName}, ${harness.createdAt.slice(0, 10)}, this harness): single images p50
    ${list}${tput}. See ${seeAlso}.`;
}

/** The kit's figures in one bullet: single images and its largest batch. */
function kitBullet(kit: NonNullable<GpuInputs['kit']>): string | undefined {
  const rows = kitRows(kit.run);
  const at = (r: KitRow, b: number) => r.loops.find((l) => l.batch === b);
  const one = rows.filter((r) => at(r, 1)).sort((a, b) => at(a, 1)!.medianMs - at(b, 1)!.medianMs);
  const biggest = Math.max(...rows.flatMap((r) => r.loops.map((l) => l.batch)));
  const big = rows
    .filter((r) => at(r, biggest))
    .sort((a, b) => at(b, biggest)!.imagesPerSecond - at(a, biggest)!.imagesPerSecond);
  const parts: string[] = [];
  if (one.length)
    parts.push(`single images: ${one.map((r) => `${r.label} ${ms(at(r, 1)!.medianMs)} ms`).join(', ')} (median)`);
  if (big.length)
    parts.push(
      `batch ${biggest}: ${big.map((r) => `${r.label} ${sig(at(r, biggest)!.imagesPerSecond)} images/s`).join(', ')}`,
    );
  if (parts.length === 0) return undefined;
  const name = gpuLine(kit.summary.machine).name;
  const date = kitDate(kit)?.slice(0, 10) ?? 'date not recorded';
  return prose`- **On an NVIDIA GPU** (another machine: ${name}, ${date}; taken by the GPU kit's \`measure.ts\` and
    \`torch_bench.py\`, not by this harness): ${parts.join('; ')}. See "On a GPU".`;
}

/** The summary's closing lines: which machine the recommendations are about, and the GPU's answer in one bullet. */
export function gpuSummaryLines(input: ReportInput): string[] {
  const { results, gpu } = input;
  if (!gpu || (!gpu.kit && !gpu.harness)) return [];
  const m = results.machine;
  const lines = [
    prose`_The recommendations above are about this machine: ${m.cpuModel}, ${m.cores} cores${gpuHere(results)},
      ${results.createdAt.slice(0, 10)}. The GPU figures below come from another machine on another date._`,
    '',
  ];
  const harness = gpu.harness;
  const bullet = harness
    ? harnessBullet(
        harness,
        (gpu.harnessNvidiaSmi ? gpuLine(gpu.harnessNvidiaSmi).name : gpuOfRuns(harness.runs)) ?? 'the GPU machine',
        harnessMachineHeading(input) ?? '"On a GPU"',
      )
    : gpu.kit && kitBullet(gpu.kit);
  if (bullet) lines.push(bullet);
  return lines.length > 2 ? [...lines, ''] : lines;
}

/**
 * The section "On a GPU (another machine)", or nothing when no GPU result is committed. When the harness's GPU run
 * was given to the report as one of its machines, it has its machine section already and this section keeps only
 * the kit's own figures (they are not harness results).
 */
export function gpuSection(input: ReportInput): string[] {
  const { gpu } = input;
  if (!gpu || (!gpu.kit && !gpu.harness)) return [];
  const shownAt = harnessMachineHeading(input);
  const shownAbove = input.extras.gpuHarnessAmongOthers === true && gpu.harness !== undefined;
  if (shownAbove && !gpu.kit) return [];
  const out = ['## On a GPU (another machine)', '', ANOTHER_MACHINE, ''];
  if (shownAbove)
    out.push(
      prose`_The bench harness's own run on the GPU machine is in ${shownAt} above. The GPU kit's own figures (taken by
        its \`measure.ts\` and \`torch_bench.py\`, not by this harness):_`,
      '',
    );
  else if (gpu.harness) out.push(...harnessTables(gpu.harness, gpu.harnessNvidiaSmi), '');
  else out.push(HARNESS_NOT_YET, '');
  if (gpu.kit) {
    if (gpu.harness && !shownAbove) out.push("### Earlier: the kit's own measurements", '');
    // the kit's loops have no cold start; the harness's run on the GPU machine has one
    const coldStart = !gpu.harness
      ? undefined
      : shownAbove
        ? `"Cold start (ms)" under ${shownAt} above`
        : '"Cold start (ms)" above';
    out.push(...kitTables(gpu.kit, coldStart), '');
  }
  return out;
}

export const gpu: ReportSection = {
  name: 'on a GPU',
  summaryEnd: gpuSummaryLines,
  body: gpuSection,
};
