import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isReadableResultsFormat, notResultsMessage, type BenchResults } from '../results/schema.ts';
import { chartsFor } from './charts.ts';
import { readGpuInputs } from './gpu-files.ts';
import { REPO_ROOT, isRepoResultsDir, updateReadmeFigures } from './readme-figures.ts';
import { renderReport } from './report.ts';

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

/** Writes report.md and its SVG charts into `outDir` (and, for the repository's results/, the READMEs' figures); returns the paths written. */
export async function writeReport(results: BenchResults, outDir: string): Promise<string[]> {
  const { renderVegaLiteSvg } = await import('@nin-bench/core-nin/node');
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const chart of chartsFor(results)) {
    const path = join(outDir, chart.file);
    await writeFile(path, await renderVegaLiteSvg(chart.spec as unknown as Parameters<typeof renderVegaLiteSvg>[0]));
    written.push(path);
  }
  const report = join(outDir, 'report.md');
  await writeFile(report, renderReport(results, await readGpuInputs(outDir)));
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
