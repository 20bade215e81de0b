import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isReadableResultsFormat, notResultsMessage, type BenchResults } from '../results/schema.ts';
import { GPU_FILES, type GpuInputs, type KitRun, type KitSummary } from './gpu.ts';

/** A committed JSON file, or undefined when it is not there; a file that is there but unreadable is an error. */
async function optionalJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The GPU machine's committed results under a results folder (`results/`): the harness's own run there
 * (`bench-gpu/results.json`) and the GPU kit's figures (`gpu/summary.json`, `gpu/gpu-run.json`). Either may be
 * absent; the report then says so.
 */
export async function readGpuInputs(resultsDir: string): Promise<GpuInputs> {
  const summaryPath = join(resultsDir, GPU_FILES.kitSummary);
  const summary = await optionalJson<KitSummary>(summaryPath);
  if (summary && summary.kind !== 'nin-gpu-summary')
    throw new Error(
      `${summaryPath} is not the GPU kit's summary (kind ${JSON.stringify(summary.kind)}, expected nin-gpu-summary)`,
    );
  const run = summary ? await optionalJson<KitRun>(join(resultsDir, GPU_FILES.kitRun)) : undefined;
  const harnessPath = join(resultsDir, GPU_FILES.harness);
  const harness = await optionalJson<BenchResults>(harnessPath);
  if (harness && !isReadableResultsFormat(harness.format))
    throw new Error(notResultsMessage(harnessPath, harness.format));
  let nvidiaSmi: string | undefined;
  try {
    nvidiaSmi = harness ? await readFile(join(resultsDir, GPU_FILES.harnessNvidiaSmi), 'utf8') : undefined;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
  return {
    ...(summary ? { kit: { summary, ...(run ? { run } : {}) } } : {}),
    ...(harness ? { harness } : {}),
    ...(nvidiaSmi ? { harnessNvidiaSmi: nvidiaSmi } : {}),
  };
}
