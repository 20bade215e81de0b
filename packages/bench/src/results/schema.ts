import type { ColdStart, Memory, ScenarioName } from '../child/protocol.ts';
import type { EngineFacts, ExtraMeasurement } from '../runners/runner.ts';
import type { LatencySummary } from '../stats/summary.ts';
import type { WasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';

/**
 * The raw results of one `nin-bench run`: everything the report is made from, as plain JSON. Format 2 adds each
 * timed loop's samples (`LatencySummary.samplesFloat32Base64`); format 1 files (summaries only) still load, report
 * the same, and compare by their medians alone.
 */
export const RESULTS_FORMAT = 'nin-bench.results/2';
/** Every format this code reads, oldest first. */
export const READABLE_RESULTS_FORMATS = ['nin-bench.results/1', RESULTS_FORMAT] as const;
export type ResultsFormat = (typeof READABLE_RESULTS_FORMATS)[number];

/** Whether a parsed file is nin-bench results this code reads. */
export function isReadableResultsFormat(format: unknown): format is ResultsFormat {
  return (READABLE_RESULTS_FORMATS as readonly unknown[]).includes(format);
}

/** The one-line error for a file in no format this code reads. */
export function notResultsMessage(path: string, format: unknown): string {
  return `${path} is not a nin-bench results file (format ${JSON.stringify(format)}, expected ${READABLE_RESULTS_FORMATS.join(' or ')})`;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly kernel: string;
  readonly arch: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages when the run started and ended */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** other processes using CPU when the run started (ps), so a reader can judge contention */
  readonly busyProcesses: readonly { readonly command: string; readonly cpuPercent: number }[];
}

export interface ModelInfo {
  readonly weightsFile: string;
  /** sha256 of the whole weights file */
  readonly sha256: string;
  /** the size the weights were trained at (manifest), null without a manifest */
  readonly trainedInputSize: number | null;
  readonly storage: string | null;
  readonly parameterCount: number;
  /** test accuracy the trainer recorded in the manifest, when it did */
  readonly manifestTestAccuracy: number | null;
  /** multiply-adds of one image, by input size */
  readonly multiplyAdds: Readonly<Record<string, number>>;
  /**
   * the weights each input size ran (absent before results format 2: every size then ran `weightsFile`): the file
   * trained for that size when one was found beside `weightsFile`, else `weightsFile` itself
   */
  readonly weightsBySize?: Readonly<Record<string, SizeWeightsInfo>>;
  /** the int8 ONNX model the int8 rows ran, by input size (absent without int8 rows) */
  readonly int8?: Readonly<Record<string, Int8ModelInfo>>;
  /** the same for the int8 .tflite models (`nin export-tflite --int8`) of the rows that declare `tflite-int8` */
  readonly int8Tflite?: Readonly<Record<string, Int8ModelInfo>>;
}

/** The weights one input size ran. */
export interface SizeWeightsInfo {
  readonly weightsFile: string;
  readonly sha256: string;
  /** the size they were trained at (manifest), null without a manifest */
  readonly trainedInputSize: number | null;
  readonly manifestTestAccuracy: number | null;
}

/** Where an int8 model came from and what it is known to score. */
export interface Int8ModelInfo {
  readonly size: number;
  /** the committed `nin export-onnx --int8` file, or "calibrated for this run (why)" */
  readonly source: string;
  readonly sha256: string;
  /** in words: statistic and training images */
  readonly calibration: string;
  /** accuracy on all 10,000 test images recorded in the model's metadata (`nin eval --onnx --record`), else null */
  readonly testAccuracy: number | null;
  readonly evaluatedOn: string | null;
  /** the float32 weights' recorded test accuracy at this size, else null */
  readonly floatTestAccuracy: number | null;
  /** time to read or calibrate it, ms */
  readonly preparedMs: number;
}

export interface OfflineResult {
  readonly batch: number;
  readonly latency?: LatencySummary;
  readonly imagesPerSecond?: number;
  /** relative margin of error of the throughput, percent */
  readonly rme?: number;
  readonly gflops?: number;
  readonly skipped?: string;
}

export interface AgreementResult {
  readonly images: number;
  readonly correct: number;
  readonly top1Accuracy: number;
  /** max |logit - cpu logit| over the images and classes; null for the reference itself or without one */
  readonly maxAbsLogitDiff: number | null;
  /** share of images whose top-1 class equals the reference's */
  readonly top1MatchesReference: number | null;
}

export type RunStatus = 'ok' | 'partial' | 'failed' | 'unavailable';

export interface BackendRun {
  /** catalog id, e.g. `tfjs-wasm-simd` */
  readonly backend: string;
  readonly label: string;
  readonly engine: string;
  /** reached over HTTP: its times include the transport, its memory is the client's */
  readonly remote?: boolean;
  /** ran in a web page in headless Chromium: its facts name the browser, flags and adapter; its memory is the page's */
  readonly browser?: boolean;
  /** an int8 row: the id of the float32 row of the same engine and threads it is compared with */
  readonly int8Of?: string;
  readonly size: number;
  readonly status: RunStatus;
  /** why it is unavailable or failed; the failures of a partial run */
  readonly reason?: string;
  readonly errors?: readonly string[];
  readonly facts?: EngineFacts;
  readonly coldStart?: ColdStart;
  readonly singleStream?: LatencySummary & { readonly gflops: number };
  readonly offline?: readonly OfflineResult[];
  readonly agreement?: AgreementResult;
  readonly memory?: Memory;
  /** the runner's own measurements (scenario `extras`), e.g. the edge server's CPU per request */
  readonly extras?: readonly ExtraMeasurement[];
  /**
   * `nin-bench run --rounds N` (N > 1): what each round measured for this row, in round order. The row's own
   * measurements (every other field) are those of its median round (`round`), by single-stream p50.
   */
  readonly rounds?: readonly RoundResult[];
  /** with `rounds`: the round whose measurements the row carries */
  readonly round?: number;
  /** wall time of the child process, ms */
  readonly wallMs?: number;
  /**
   * CPU used by other processes while this row ran, in cores on average (machine busy time minus the bench's
   * own); for an HTTP row it includes the local server. Absent where /proc is not available.
   */
  readonly otherCores?: number;
}

/** One round of a row under `--rounds`: its place in that round's order and its headline figures. */
export interface RoundResult {
  /** 1-based */
  readonly round: number;
  /** the row's place in that round's (seeded random) order, 1-based */
  readonly position: number;
  readonly status: RunStatus;
  readonly singleStreamP50?: number;
  readonly offline?: readonly { readonly batch: number; readonly p50: number; readonly imagesPerSecond: number }[];
  readonly otherCores?: number;
}

export interface BenchSettings {
  readonly profile: string;
  readonly sizes: readonly number[];
  readonly scenarios: readonly ScenarioName[];
  readonly singleStream: { readonly timeMs: number; readonly minIterations: number; readonly warmupIterations: number; readonly warmupTimeMs?: number };
  readonly offline: { readonly batches: readonly number[]; readonly timeMs: number; readonly minIterations: number; readonly maxCallMs: number };
  readonly agreement: { readonly images: number; readonly batch: number; readonly referenceTimeMs: number; readonly reference: string };
  readonly childTimeoutMs: number;
  readonly dataset: string;
  /** `--rounds N` (N > 1): the plan ran N times, each round in a new order drawn from `seed` */
  readonly rounds?: { readonly count: number; readonly seed: number };
  /**
   * the profile's single-stream rounds (count > 1): round 1 ran every scenario, each further round single-stream
   * alone, in a new order drawn from `seed`; each row then carries its rounds and the median round's latency
   */
  readonly singleStreamRounds?: { readonly count: number; readonly seed: number };
}

/** The WebAssembly peak probe (core-nin/src/probe/wasm-peak.ts) as run in one runtime: the ceiling its wasm rows are read against. */
export interface WasmPeakRecord extends WasmPeak {
  /** the runtime that ran it, e.g. `Node v20.20.2 (V8 11.3.244.8-node.33)` */
  readonly runtime: string;
}

export interface BenchResults {
  readonly format: ResultsFormat;
  readonly createdAt: string;
  readonly durationMs: number;
  /**
   * each input size's own wall time (ms, by size): reading its weights, preparing its models, and its rows in the
   * first and every further round, timed step by step (the rounds interleave the sizes); they add up to at most
   * `durationMs`, the rest being the run's start (machine sampling, warm-up, probe). Absent in older files.
   */
  readonly durationMsBySize?: Readonly<Record<string, number>>;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly versions: Readonly<Record<string, string>>;
  readonly model: ModelInfo;
  readonly settings: BenchSettings;
  readonly runs: readonly BackendRun[];
  /**
   * the WebAssembly peak probe in the bench's own Node (one thread), when the plan had a wasm row; a browser row's
   * and an edge row's own probe are in their facts (`wasmPeak*` details)
   */
  readonly wasmPeak?: WasmPeakRecord;
}
