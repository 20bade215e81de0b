import type { ScenarioName } from './child/protocol.ts';
import type { Profile } from './plan/profiles.ts';
import type { Progress } from './progress.ts';
import type { BackendRun } from './results/schema.ts';

// What the orchestrator tells the progress bar and the log about a row.

/** One line per finished row: its p50, best throughput and top-1, or why it did not run. */
export function formatRow(run: BackendRun): string {
  if (run.status === 'unavailable') return `  - ${run.label} @${run.size}: unavailable (${run.reason})`;
  if (run.status === 'failed') return `  x ${run.label} @${run.size}: failed (${run.reason})`;
  const p50 = run.singleStream ? `p50 ${run.singleStream.p50.toFixed(1)} ms` : 'no latency';
  const best = Math.max(0, ...(run.offline ?? []).map((o) => o.imagesPerSecond ?? 0));
  const throughput = best ? `, ${best.toFixed(1)} img/s` : '';
  const acc = run.agreement ? `, top-1 ${(run.agreement.top1Accuracy * 100).toFixed(1)}%` : '';
  const partial = run.status === 'partial' ? ` (partial: ${run.errors?.join('; ')})` : '';
  return `  ${run.status === 'ok' ? '+' : '!'} ${run.label} @${run.size}: ${p50}${throughput}${acc}${partial}`;
}

/** Planned duration of one child, for the ETA: the budgets, plus a guess for start-up. */
export function plannedMs(profile: Profile, scenarios: readonly ScenarioName[], reference: boolean): number {
  let ms = 3000;
  if (scenarios.includes('single-stream')) ms += profile.singleStream.timeMs;
  if (scenarios.includes('offline')) ms += profile.offline.timeMs * profile.offline.batches.length;
  if (scenarios.includes('agreement')) ms += reference ? profile.agreement.referenceTimeMs : 3000;
  return ms;
}

/** Where in a child's planned time each scenario starts, for the progress bar. */
export const PHASE_START: Record<ScenarioName, number> = {
  'cold-start': 0,
  'single-stream': 0.05,
  offline: 0.3,
  agreement: 0.75,
  extras: 0.9,
  memory: 0.98,
};

/**
 * How far the plan is, in planned milliseconds, for the progress bar: a row's share moves with its child's
 * messages (offline by batch), and the row's whole planned time counts once it ends.
 */
export class PlanProgress {
  #done = 0;

  constructor(private readonly progress: Progress) {}

  /** something before a row's child starts (an int8 calibration: seconds) */
  preparing(where: string, what: string): void {
    this.progress.update(this.#done, where, what);
  }

  /** Follows one row's child: returns what to call with each of its progress messages. */
  row(where: string, planned: number, offlineBatches: number) {
    let offlineDone = 0;
    return (scenario: ScenarioName, detail?: string): void => {
      let share = PHASE_START[scenario];
      if (scenario === 'offline')
        share += (PHASE_START.agreement - PHASE_START.offline) * (offlineDone++ / offlineBatches);
      this.progress.update(this.#done + planned * share, where, `${scenario}${detail ? ` ${detail}` : ''}`);
    };
  }

  /** a row's child ended: its planned time is done */
  rowDone(planned: number): void {
    this.#done += planned;
  }
}
