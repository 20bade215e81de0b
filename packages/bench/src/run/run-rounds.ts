import type { ScenarioName } from '../child/protocol.ts';
import { REFERENCE_BACKEND, type CatalogEntry } from '../plan/catalog.ts';
import type { Profile } from '../plan/profiles.ts';
import type { BackendRun } from '../results/schema.ts';
import type { MeasuredRow, ReferenceFigures } from './measure-row.ts';
import { furtherRoundRows, roundRows, type PlannedRow, type RunPlan } from './plan.ts';
import type { RowLog } from './row-log.ts';
import type { SizeClock } from './size-clock.ts';

/** The steps a round takes for each row, and where the rows end up. */
export interface RoundSteps {
  readonly plan: RunPlan;
  readonly log: RowLog;
  readonly clock: SizeClock;
  measure(
    row: PlannedRow,
    scenarios: readonly ScenarioName[],
    reference: ReferenceFigures | null,
  ): Promise<MeasuredRow>;
  /** a row's run is done: logged, noted and checkpointed (`round` counts from 0, of `of` rounds) */
  finish(run: BackendRun, entry: CatalogEntry, round: number, of: number): Promise<void>;
}

/** An unavailable row as the results keep it: why it did not run. */
export function unavailableRun(entry: CatalogEntry, size: number): BackendRun {
  return {
    backend: entry.id,
    label: entry.label,
    engine: entry.engine,
    ...(entry.remote ? { remote: true } : {}),
    ...(entry.browser ? { browser: true } : {}),
    size,
    status: 'unavailable',
    reason: entry.unavailable!,
  };
}

/**
 * The plan's rounds (one, or `--rounds`). Each size starts with its own reference (tfjs cpu, first in the
 * catalog): the others are compared with its logits on the images it reached. An unavailable row is recorded
 * once, in round 1.
 */
export async function runPlanRounds(
  steps: RoundSteps,
  scenarios: readonly ScenarioName[],
  profile: Profile,
): Promise<void> {
  const { plan, clock } = steps;
  for (let round = 0; round < plan.rounds; round++) {
    steps.log.newRound();
    for (const { size, rows } of roundRows(plan, round)) {
      let reference: ReferenceFigures = { logits: null, images: profile.agreement.images };
      for (const row of rows) {
        if (row.entry.unavailable && round > 0) continue; // nothing to measure again
        await clock.time(size, async () => {
          if (row.entry.unavailable)
            return steps.finish(unavailableRun(row.entry, size), row.entry, round, plan.rounds);
          const isReference = row.entry.id === REFERENCE_BACKEND;
          const { run, logits } = await steps.measure(row, scenarios, isReference ? null : reference);
          if (isReference && logits) reference = { logits, images: run.agreement?.images ?? reference.images };
          await steps.finish(run, row.entry, round, plan.rounds);
        });
      }
    }
  }
}

/**
 * Further single-stream rounds (the profile's singleStreamRounds; not with --rounds, which reruns everything),
 * single-stream alone, each row in a fresh child. A row takes them when its first round measured single images,
 * it is not an edge build (a Worker's restart costs more than its loop) and its minimum calls fit in the loop's
 * time (tfjs cpu at 224 px: seconds an image, its 10 calls already span the machine's drift).
 */
export async function runFurtherSingleStreamRounds(steps: RoundSteps, profile: Profile): Promise<void> {
  const { plan, clock, log } = steps;
  const { minIterations, timeMs } = profile.singleStream;
  const takes = (row: PlannedRow) => {
    const p50 = log.first(row)?.singleStream?.p50;
    return !row.entry.remote && p50 !== undefined && p50 * minIterations <= timeMs;
  };
  for (let round = 1; round <= plan.extraRounds; round++) {
    log.newRound();
    for (const { size, rows } of furtherRoundRows(plan, round, takes)) {
      for (const row of rows) {
        await clock.time(size, async () => {
          const again = { ...row, planned: plan.singleStreamRoundMs };
          const { run } = await steps.measure(again, ['single-stream'], { logits: null, images: 0 });
          await steps.finish(run, row.entry, round, plan.extraRounds + 1);
        });
      }
    }
  }
}
