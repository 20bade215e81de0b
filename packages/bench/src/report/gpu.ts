import type { BackendRun, BenchResults } from '../results/schema.ts';
import { measured } from './rows.ts';

/**
 * The report's GPU section: figures from a machine with an NVIDIA GPU, which is never the machine `npm run bench`
 * ran on. Two sources, both committed JSON: the bench harness itself run there (`results/bench-gpu/results.json`,
 * same schema as the CPU run), and the GPU kit's own measurements (`results/gpu/summary.json` and `gpu-run.json`,
 * from gpu-kit/measure.ts and torch_bench.py). Pure, like the rest of the report: write.ts reads the files.
 */

/** The fields of gpu-kit/finish.ts's summary.json this section reads. */
export interface KitSummary {
  readonly kind: 'nin-gpu-summary';
  readonly machine: string;
  readonly webgpuAdapter?: {
    readonly adapter?: string;
    readonly software?: boolean;
    readonly maxStorageBufferBindingSize?: number;
  };
  readonly torch?: {
    readonly python?: string;
    readonly torch?: string;
    readonly cuda?: string;
    readonly cudnn?: number;
    readonly device?: string;
    readonly cudnnBenchmark?: boolean;
  };
  readonly node?: {
    readonly node?: string;
    readonly cpus?: number;
    readonly cpuModel?: string;
    readonly tfjs?: string;
  };
  readonly forwardParity?: {
    readonly size: number;
    readonly batch: number;
    readonly maxAbsDiff: number;
    readonly maxAbsLogit: number;
  };
  readonly trainImagesPerSecond?: {
    readonly size: number;
    readonly batch: number;
    readonly typescriptWebgpu: number;
    readonly pytorchCudaFloat32: number;
    readonly pytorchCudaDefault: number;
    readonly note?: string;
  };
  readonly training?: {
    readonly trainer?: string;
    readonly testAccuracyGpu?: { readonly images: number; readonly accuracy: number };
  };
}

/** One timed loop of measure.ts or torch_bench.py: every call waits for the logits. */
export interface KitLoop {
  readonly batch: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly medianMs: number;
  readonly imagesPerSecond: number;
  readonly precision?: string;
}

/** The fields of gpu-run.json (run.sh's merged figures) this section reads. */
export interface KitRun {
  readonly probe?: { readonly date?: string };
  readonly 'torch-bench'?: {
    readonly date?: string;
    readonly model?: { readonly size?: number };
    readonly inference?: readonly KitLoop[];
  };
  readonly 'webgpu-bench'?: {
    readonly date?: string;
    readonly model?: { readonly size?: number };
    readonly inference?: readonly KitLoop[];
  };
}

export interface GpuInputs {
  readonly kit?: { readonly summary: KitSummary; readonly run?: KitRun };
  /** the harness's own results from the GPU machine */
  readonly harness?: BenchResults;
  /** nvidia-smi's CSV from the harness's run (run.sh writes it beside the results: their schema has no GPU field) */
  readonly harnessNvidiaSmi?: string;
}

/** Where the committed files live under the results folder (write.ts reads them). */
export const GPU_FILES = {
  kitSummary: 'gpu/summary.json',
  kitRun: 'gpu/gpu-run.json',
  harness: 'bench-gpu/results.json',
  harnessNvidiaSmi: 'bench-gpu/nvidia-smi.csv',
} as const;

/** nvidia-smi's CSV (header line, one line per GPU) as "name, driver D, M MiB, max SM clock C MHz". */
export function gpuLine(csv: string): { name: string; text: string } {
  const row = csv
    .trim()
    .split('\n')[1]
    ?.split(',')
    .map((c) => c.trim());
  if (!row || row.length < 2) return { name: csv.trim() || 'unknown GPU', text: csv.trim() || 'unknown GPU' };
  const [name, driver, memory, clock] = row;
  return {
    name,
    text: `${name}, driver ${driver}${memory ? `, ${memory}` : ''}${clock ? `, max SM clock ${clock}` : ''}`,
  };
}

/**
 * The GPU a run's rows used, when they name one: a device other than the CPU in a row's facts (PyTorch's CUDA
 * device), else a hardware adapter (WebGPU's; a software one, lavapipe or SwiftShader, is the CPU and names no GPU).
 */
export function gpuOfRuns(runs: readonly BackendRun[]): string | undefined {
  const ran = runs.filter(measured);
  const device = ran.map((r) => r.facts?.details.device).find((d) => typeof d === 'string' && d !== 'cpu');
  if (device !== undefined) return String(device);
  const adapter = ran.find((r) => r.facts?.details.adapter && r.facts.details.software === false);
  return adapter ? String(adapter.facts!.details.adapter) : undefined;
}

/** 2026-11-27T19:36:24.088Z as "2026-11-27, 19:36 UTC". */
export const when = (iso: string): string =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)}, ${iso.slice(11, 16)} UTC` : iso;
