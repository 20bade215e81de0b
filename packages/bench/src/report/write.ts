import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isReadableResultsFormat, notResultsMessage, type BenchResults } from '../results/schema.ts';
import { chartsFor } from './charts.ts';
import { readGpuInputs } from './gpu-files.ts';
import { GPU_FILES } from './gpu.ts';
import type { MachineResults } from './machines.ts';
import { REPO_ROOT, isRepoResultsDir, updateReadmeFigures } from './readme-figures.ts';
import { renderReport, type ReportExtras } from './report.ts';

/** Where a run keeps its raw results, under the output directory. */
export const resultsFile = (outDir: string, name = 'results.json'): string => join(outDir, 'bench', name);

export async function readResults(path: string): Promise<BenchResults> {
  let parsed: Partial<BenchResults>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<BenchResults>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT')
      throw new Error(`no results at ${path}: run \`npm run bench\` first`);
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isReadableResultsFormat(parsed.format)) throw new Error(notResultsMessage(path, parsed.format));
  return parsed as BenchResults;
}

/**
 * The results files `nin-bench report` was given, in order: a file as it is; a folder as every `results.json` in it
 * and in its immediate subfolders (by folder name) (`results/` gives `results/bench/results.json`, then the GPU
 * machine's `results/bench-gpu/results.json` when there is one). An `nvidia-smi.csv` beside a file names its GPU.
 */
export async function readMachines(paths: readonly string[]): Promise<MachineResults[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    // a results.json in the folder itself first, then its subfolders' by name (`bench` before `bench-gpu`)
    const found: string[] = [];
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (entries.some((e) => e.isFile() && e.name === 'results.json')) found.push(join(path, 'results.json'));
    for (const entry of entries) {
      const inner = join(path, entry.name, 'results.json');
      if (
        entry.isDirectory() &&
        (await stat(inner).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        found.push(inner);
    }
    if (found.length === 0)
      throw new Error(`no results.json in ${path} or its subfolders: run \`npm run bench\` first`);
    files.push(...found);
  }
  return Promise.all(
    files.map(async (file) => {
      const results = await readResults(file);
      const nvidiaSmi = await readFile(join(dirname(file), 'nvidia-smi.csv'), 'utf8').catch(() => undefined);
      return { file, results, ...(nvidiaSmi ? { nvidiaSmi } : {}) };
    }),
  );
}

/**
 * The other machines' results kept in `outDir` beside the run's own (`results/bench-gpu/results.json`, the GPU
 * machine's harness run): every report of that folder has them as machines of their own, so that a new CPU run
 * and the committed GPU run stay in one report. None when the folder holds no other results.
 */
export async function otherMachinesIn(outDir: string, ownFile: string): Promise<MachineResults[]> {
  let machines: MachineResults[];
  try {
    machines = await readMachines([outDir]);
  } catch {
    return [];
  }
  const own = resolve(ownFile);
  const ownFolder = resolve(outDir, 'bench');
  // the run's own folder (bench/, its partial file included) is this machine, not another
  return machines.filter((m) => resolve(m.file) !== own && dirname(resolve(m.file)) !== ownFolder);
}

/**
 * Writes report.md and its SVG charts into `outDir` (and, for the repository's results/, the READMEs' figures);
 * returns the paths written. `others`: more machines' results, each a section of the report (see machines.ts).
 */
export async function writeReport(
  results: BenchResults,
  outDir: string,
  machines: { readonly file?: string; readonly others?: readonly MachineResults[] } = {},
): Promise<string[]> {
  const { renderVegaLiteSvg } = await import('@nin-bench/core-nin/node');
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const chart of chartsFor(results)) {
    const path = join(outDir, chart.file);
    await writeFile(path, await renderVegaLiteSvg(chart.spec as unknown as Parameters<typeof renderVegaLiteSvg>[0]));
    written.push(path);
  }
  const report = join(outDir, 'report.md');
  const gpuHarness = resolve(outDir, GPU_FILES.harness);
  const extras: ReportExtras = {
    ...machines,
    gpuHarnessAmongOthers: (machines.others ?? []).some((m) => resolve(m.file) === gpuHarness),
  };
  await writeFile(report, renderReport(results, await readGpuInputs(outDir), extras));
  written.push(report);
  // The READMEs quote the committed run through generated blocks: only a report written into the repository's
  // own results/ may change them (a run into /tmp must not).
  if (isRepoResultsDir(outDir))
    written.push(...(await updateReadmeFigures(results)).map((file) => join(REPO_ROOT, file)));
  return written;
}

/**
 * Writes the raw results (atomically: a rename, so an interrupted write never leaves half a file). During a
 * run the CLI checkpoints into `results.partial.json`; an interrupted run leaves that file, and
 * `nin-bench report --results DIR/bench/results.partial.json` shows what was measured.
 */
export async function writeResults(results: BenchResults, outDir: string, name = 'results.json'): Promise<string> {
  const path = resultsFile(outDir, name);
  await mkdir(join(outDir, 'bench'), { recursive: true });
  await writeFile(`${path}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return path;
}
