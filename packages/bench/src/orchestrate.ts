import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelFiles } from './model-files.ts';
import { PlanProgress, formatRow } from './row-progress.ts';
import type { BenchResults } from './results/schema.ts';
import { measureRow, type RowContext } from './run/measure-row.ts';
import { planRun, runSizes } from './run/plan.ts';
import type { BenchRequest } from './run/request.ts';
import { RowLog } from './run/row-log.ts';
import { RunModels } from './run/run-models.ts';
import { runFurtherSingleStreamRounds, runPlanRounds, type RoundSteps } from './run/run-rounds.ts';
import { SizeClock } from './run/size-clock.ts';
import { resultsSnapshot, startRun, type RunState } from './run/snapshot.ts';
import { writeTestData } from './run/test-data.ts';
import { warmUp } from './run/warm-up.ts';

export type { BenchRequest } from './run/request.ts';

/**
 * Runs every selected backend at every size, each in its own child process, one after another (never two at
 * once: they would share the cores). The reference (tfjs cpu) runs first at each size: its logits are what
 * the others are compared with, and the number of images it managed in its time budget is the slice everyone
 * classifies. The steps: plan (sizes, rows, rounds), prepare (weights per size, the test slice, warm-up), the
 * plan's rounds, the further single-stream rounds, and the results, checkpointed after every row.
 */
export async function runBench(req: BenchRequest): Promise<BenchResults> {
  const start = await startRun();
  const clock = new SizeClock();
  const models = await RunModels.open(req);
  const plan = planRun(req, runSizes(req, models.trainedSize));
  await models.describeSizes(plan.sizes, clock);
  const work = await mkdtemp(join(tmpdir(), 'nin-bench-'));
  try {
    const testData = await writeTestData(work, req.testSet, plan);
    req.progress.start(plan.totalMs);
    const wasmPeak = await warmUp(req.entries, req.progress);
    const state: RunState = { req, start, plan, models, log: new RowLog(), clock, wasmPeak };
    const steps = roundSteps(state, rowContext(req, work, models, testData));
    await runPlanRounds(steps, req.scenarios, req.profile);
    await runFurtherSingleStreamRounds(steps, req.profile);
    req.progress.stop();
    return await resultsSnapshot(state);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** What each row is measured with: the profile, the model files prepared in the run's scratch folder, the slice. */
function rowContext(
  req: BenchRequest,
  folder: string,
  models: RunModels,
  testData: RowContext['testData'],
): RowContext {
  const progress = new PlanProgress(req.progress);
  const prepareModel = modelFiles({
    folder,
    int8Model: models.int8Model,
    note: (line) => req.progress.note(line),
    preparing: (where, what) => progress.preparing(where, what),
    prepared: (format, size, info) => models.recordInt8(format, size, info),
  });
  const childTimeoutMs = req.childTimeoutMs ?? req.profile.childTimeoutMs;
  return { profile: req.profile, childTimeoutMs, models, prepareModel, testData, progress };
}

/** A row is measured in its own child; once done, it is logged, noted and the results so far checkpointed. */
function roundSteps(state: RunState, ctx: RowContext): RoundSteps {
  const { req, plan, log, clock } = state;
  return {
    plan,
    log,
    clock,
    measure: (row, scenarios, reference) => measureRow(ctx, row, scenarios, reference),
    async finish(run, entry, round, of) {
      log.add(run, entry);
      req.progress.note(`${formatRow(run)}${of > 1 ? ` (round ${round + 1}/${of})` : ''}`);
      if (req.checkpoint) await req.checkpoint(await resultsSnapshot(state));
    },
  };
}
