import type { EngineFacts, ExtraMeasurement, RunnerTask } from '../runners/runner.ts';
import type { LatencySummary } from '../stats/summary.ts';

/**
 * The parent <-> child protocol: plain JSON over Node's IPC channel. The parent sends nothing after spawning
 * (the task travels on the command line); the child reports each measurement as soon as it has it, so a crash
 * half-way keeps what was measured before it.
 */

export type ScenarioName = 'cold-start' | 'single-stream' | 'offline' | 'agreement' | 'extras' | 'memory';
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'cold-start',
  'single-stream',
  'offline',
  'agreement',
  'extras',
  'memory',
];

/** A time-budgeted tinybench run: it stops once both the budget and the minimum number of calls are reached. */
export interface TimedLoop {
  readonly timeMs: number;
  readonly minIterations: number;
}

export interface ChildPlan {
  /** which measurements to take; cold start is always taken (it costs nothing: it is how the child starts) */
  readonly scenarios: readonly ScenarioName[];
  /** requests of an endpoint's soak, among the runner-specific measurements */
  readonly soakRequests?: number;
  readonly singleStream: TimedLoop & { readonly warmupIterations: number; readonly warmupTimeMs?: number };
  readonly offline: TimedLoop & {
    readonly batches: readonly number[];
    /** a batch size whose warm-up call takes longer than this is skipped, with the reason */
    readonly maxCallMs: number;
  };
  readonly agreement: {
    /** how many images of the slice to classify */
    readonly images: number;
    readonly batch: number;
    /**
     * Stop early once this much time is spent (after `minImages`): only the reference sets it, and the count it
     * reaches becomes everyone else's `images`, so that all backends are compared on the same images.
     */
    readonly timeMs?: number;
    readonly minImages?: number;
  };
}

export interface ChildTask {
  /** absolute path of the runner file (it exports `createRunner`) */
  readonly runnerModule: string;
  readonly runner: RunnerTask;
  readonly plan: ChildPlan;
  /**
   * The fixed slice of the test set, written once by the parent: raw 28x28 images and labels, and the first
   * `inputCount` images already preprocessed for this size (float32, n x size x size), so that the child has
   * its timing inputs without loading the core before the engine.
   */
  readonly data: {
    readonly imagesPath: string;
    readonly labelsPath: string;
    readonly count: number;
    readonly inputsPath: string;
    readonly inputCount: number;
  };
}

export interface ColdStart {
  /**
   * process start (Node's time origin) until the harness starts the runner: Node, the TypeScript loader, harness
   * modules; for a browser row, the page's navigation start until its script runs (timed in the page)
   */
  readonly processMs: number;
  /** importing the runner and its engine, initialising the backend */
  readonly initMs: number;
  /** reading the weights and making them ready (upload, session creation) */
  readonly loadMs: number;
  /** the first inference of one image, end to end */
  readonly firstInferenceMs: number;
  /** processMs + initMs + loadMs + firstInferenceMs: process start to first result */
  readonly totalMs: number;
  /** reading and preprocessing the test images: harness work, excluded from the total */
  readonly harnessDataMs: number;
}

export type OfflinePoint =
  | { readonly batch: number; readonly latency: LatencySummary; readonly warmupMs: number }
  | { readonly batch: number; readonly skipped: string; readonly warmupMs?: number };

export interface Memory {
  /** peak resident set size of the child process (`process.resourceUsage().maxRSS`), bytes */
  readonly peakRssBytes: number;
  /** RSS when the child started, before any engine was loaded, bytes */
  readonly startRssBytes: number;
  /** sum of the sizes of every WebAssembly.Memory the engine created (they never shrink: this is the peak); null when none */
  readonly wasmHeapBytes: number | null;
  /** V8 heap in use at the end, bytes */
  readonly jsHeapUsedBytes: number;
  /** CPU time this process used, all threads (user + system), ms */
  readonly cpuMs?: number;
}

export type ChildMessage =
  | { readonly type: 'progress'; readonly scenario: ScenarioName; readonly detail?: string }
  | { readonly type: 'unavailable'; readonly reason: string }
  | { readonly type: 'facts'; readonly facts: EngineFacts }
  | { readonly type: 'cold-start'; readonly coldStart: ColdStart }
  | { readonly type: 'single-stream'; readonly latency: LatencySummary }
  | { readonly type: 'offline'; readonly point: OfflinePoint }
  | { readonly type: 'agreement'; readonly images: number; readonly logits: number[] }
  | { readonly type: 'extras'; readonly extras: readonly ExtraMeasurement[] }
  | { readonly type: 'memory'; readonly memory: Memory }
  | { readonly type: 'error'; readonly scenario: ScenarioName | 'init' | 'load'; readonly message: string }
  | { readonly type: 'done' };
