import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeBuild } from './edge-weights.ts';
import { REPO_ROOT } from './wrangler.ts';

/** Where `npm run bench` writes its raw results (the committed run). */
export const BENCH_RESULTS = join(REPO_ROOT, 'results', 'bench', 'results.json');

/** One build's Worker CPU per request as a bench run measured it (its edge row's runner-specific measurement). */
export interface MeasuredWorkerCpu {
  readonly ms: number;
  /** the bench's plan verdict: which Workers plan the figure fits and what a million requests cost */
  readonly verdict: string;
  /** the run's date (ISO) */
  readonly measuredAt: string;
  /** the bench row it comes from */
  readonly row: string;
}

/** The slice of the bench's results.json read here (the bench owns the format; only data crosses over). */
interface BenchFile {
  readonly createdAt?: string;
  readonly runs?: readonly {
    readonly backend?: string;
    readonly size?: number;
    readonly status?: string;
    readonly facts?: { readonly details?: Record<string, unknown> };
    readonly extras?: readonly { name?: string; value?: unknown; verdict?: string }[];
  }[];
}

/**
 * The Worker CPU per request the bench measured for each build it has a row for (its int8 builds), keyed by
 * measuredKey; builds without a row (float16, float32) are absent, and a missing or unreadable file gives an empty
 * map. The edge does not import the bench: it reads its output.
 */
export function measuredWorkerCpu(path: string = BENCH_RESULTS): Map<string, MeasuredWorkerCpu> {
  const out = new Map<string, MeasuredWorkerCpu>();
  let file: BenchFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as BenchFile;
  } catch {
    return out;
  }
  for (const run of file.runs ?? []) {
    const served = String(run.facts?.details?.servedEngine ?? '');
    // `int8, 224 px`: the weights the Worker reported in /model
    const precision = String(run.facts?.details?.servedWeights ?? '').split(',')[0]!;
    const cpu = run.extras?.find((x) => x.name === 'Worker CPU per request');
    if (run.status !== 'ok' || !served || typeof cpu?.value !== 'number' || run.size === undefined) continue;
    out.set(
      measuredKey({
        inputSize: run.size,
        precision: precision as EdgeBuild['precision'],
        engine: served as EdgeBuild['engine'],
      }),
      {
        ms: cpu.value,
        verdict: cpu.verdict ?? '',
        measuredAt: file.createdAt ?? 'unknown',
        row: String(run.backend),
      },
    );
  }
  return out;
}

/** The key of a build in measuredWorkerCpu's map. */
export function measuredKey(build: Pick<EdgeBuild, 'inputSize' | 'precision' | 'engine'>): string {
  return `${build.inputSize}/${build.precision}/${build.engine}`;
}
