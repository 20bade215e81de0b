import { REFERENCE_BACKEND } from '../plan/catalog.ts';
import { busyProcesses, loadAverage, machineInfo, packageVersions } from '../results/machine.ts';
import {
  RESULTS_FORMAT,
  type BenchResults,
  type BenchSettings,
  type MachineInfo,
  type WasmPeakRecord,
} from '../results/schema.ts';
import type { RunPlan } from './plan.ts';
import type { BenchRequest } from './request.ts';
import type { RowLog } from './row-log.ts';
import type { RunModels } from './run-models.ts';
import type { SizeClock } from './size-clock.ts';

/** When a run started and how busy the machine was then: the results' createdAt, duration and machine. */
export interface RunStart {
  /** Date.now() at the start */
  readonly startedAt: number;
  /** performance.now() at the start: the run's duration is measured on the clock that times each size */
  readonly startedMs: number;
  readonly loadAtStart: number[];
  readonly busy: MachineInfo['busyProcesses'];
  readonly versions: Record<string, string>;
}

export async function startRun(): Promise<RunStart> {
  const startedAt = Date.now();
  const startedMs = performance.now();
  const loadAtStart = loadAverage();
  return { startedAt, startedMs, loadAtStart, busy: await busyProcesses(), versions: packageVersions() };
}

/** Everything the results are assembled from. */
export interface RunState {
  readonly req: BenchRequest;
  readonly start: RunStart;
  readonly plan: RunPlan;
  readonly models: RunModels;
  readonly log: RowLog;
  readonly clock: SizeClock;
  readonly wasmPeak: WasmPeakRecord | undefined;
}

/** The results as they stand: the final ones at the end, a checkpoint after every row. */
export async function resultsSnapshot(state: RunState): Promise<BenchResults> {
  const { req, start, plan } = state;
  return {
    format: RESULTS_FORMAT,
    createdAt: new Date(start.startedAt).toISOString(),
    durationMs: Math.round(performance.now() - start.startedMs),
    durationMsBySize: state.clock.bySize(),
    command: req.command,
    machine: await machineInfo(start.loadAtStart, loadAverage(), start.busy),
    versions: start.versions,
    model: state.models.info(),
    settings: runSettings(req, plan),
    runs: state.log.merged(plan.rows, plan.rounds),
    ...(state.wasmPeak ? { wasmPeak: state.wasmPeak } : {}),
  };
}

/** The results' `settings`: the profile's loops as this run used them. */
export function runSettings(req: BenchRequest, plan: RunPlan): BenchSettings {
  const { profile } = req;
  const { rounds, seed, extraRounds } = plan;
  return {
    profile: profile.name,
    sizes: plan.sizes,
    scenarios: req.scenarios,
    singleStream: profile.singleStream,
    offline: profile.offline,
    agreement: {
      images: profile.agreement.images,
      batch: profile.agreement.batch,
      referenceTimeMs: profile.agreement.referenceTimeMs,
      reference: REFERENCE_BACKEND,
    },
    childTimeoutMs: req.childTimeoutMs ?? profile.childTimeoutMs,
    dataset: `Fashion-MNIST test set, first ${plan.sliceCount} images`,
    ...(rounds > 1 ? { rounds: { count: rounds, seed } } : {}),
    ...(extraRounds > 0 ? { singleStreamRounds: { count: extraRounds + 1, seed } } : {}),
  };
}
