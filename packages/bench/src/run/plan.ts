import { REFERENCE_BACKEND, type CatalogEntry } from '../plan/catalog.ts';
import { plannedMs } from '../row-progress.ts';
import { roundOrder } from '../results/rounds.ts';
import type { BenchRequest } from './request.ts';

/** One row of the plan: a catalog entry at one input size. */
export interface PlannedRow {
  readonly size: number;
  readonly entry: CatalogEntry;
  /** the row's planned milliseconds, for the ETA (0 for an unavailable row) */
  readonly planned: number;
}

/** A size's rows in the order one round runs them. */
export interface SizeRows {
  readonly size: number;
  readonly rows: readonly PlannedRow[];
}

/** What a run will do: its sizes and rows, its rounds, and the slice of the test set every row classifies. */
export interface RunPlan {
  readonly sizes: readonly number[];
  /** every size's rows, in the plan's order (the results keep it, whatever order the rounds ran in) */
  readonly rows: readonly PlannedRow[];
  /** `--rounds`: how many times the whole plan runs */
  readonly rounds: number;
  readonly seed: number;
  /** the profile's further single-stream rounds (none with --rounds, which reruns everything) */
  readonly extraRounds: number;
  /** planned time of one further single-stream round of a row: start-up, warm-up and the loop */
  readonly singleStreamRoundMs: number;
  /** the whole plan's planned milliseconds, for the progress bar */
  readonly totalMs: number;
  /** images of the test set's fixed slice (agreement and batches) */
  readonly sliceCount: number;
  /** preprocessed images written per size: enough for the largest timed batch; bigger batches repeat them */
  readonly inputCount: number;
}

/** The sizes a run measures: those asked for, else the trained size and then the profile's extra sizes. */
export function runSizes(req: BenchRequest, trainedSize: number): number[] {
  return [...new Set(req.sizes?.length ? req.sizes : [trainedSize, ...req.profile.extraSizes])];
}

export function planRun(req: BenchRequest, sizes: readonly number[]): RunPlan {
  const { profile, scenarios } = req;
  const rows = sizes.flatMap((size) =>
    req.entries.map((entry) => ({
      size,
      entry,
      planned: entry.unavailable ? 0 : plannedMs(profile, scenarios, entry.id === REFERENCE_BACKEND),
    })),
  );
  const rounds = req.rounds ?? 1;
  const extraRounds = rounds === 1 && scenarios.includes('single-stream') ? profile.singleStreamRounds - 1 : 0;
  const singleStreamRoundMs = 3000 + profile.singleStream.warmupTimeMs + profile.singleStream.timeMs;
  const againCount = rows.filter((row) => row.planned > 0 && !row.entry.remote).length;
  const maxBatch = Math.max(...profile.offline.batches);
  const sliceCount = Math.min(req.testSet.count, Math.max(profile.agreement.images, maxBatch));
  return {
    sizes,
    rows,
    rounds,
    seed: req.seed ?? 1,
    extraRounds,
    singleStreamRoundMs,
    totalMs: rounds * rows.reduce((a, row) => a + row.planned, 0) + extraRounds * againCount * singleStreamRoundMs,
    sliceCount,
    inputCount: Math.min(sliceCount, maxBatch),
  };
}

const rowsOfSize = (plan: RunPlan, size: number) => plan.rows.filter((row) => row.size === size);

/**
 * The order of a round of the whole plan. One round: the plan's own order. Several: each round in a new seeded
 * random order, the reference first at each size.
 */
export function roundRows(plan: RunPlan, round: number): SizeRows[] {
  if (plan.rounds === 1) return plan.sizes.map((size) => ({ size, rows: rowsOfSize(plan, size) }));
  const isReference = (row: PlannedRow) => row.entry.id === REFERENCE_BACKEND;
  return roundOrder(plan.sizes, (size) => rowsOfSize(plan, size), isReference, plan.seed, round);
}

/** The order of a further single-stream round: the rows that take it, in a seeded random order. */
export function furtherRoundRows(plan: RunPlan, round: number, takes: (row: PlannedRow) => boolean): SizeRows[] {
  const rows = (size: number) => rowsOfSize(plan, size).filter(takes);
  return roundOrder(plan.sizes, rows, () => false, plan.seed, round);
}
