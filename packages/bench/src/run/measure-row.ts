import { multiplyAdds } from '@nin-bench/core-nin';
import type { ChildPlan, ChildTask, ScenarioName } from '../child/protocol.ts';
import { runChildProcess } from '../child/spawn.ts';
import type { modelFiles } from '../model-files.ts';
import { runnerPath } from '../plan/catalog.ts';
import type { Profile } from '../plan/profiles.ts';
import type { PlanProgress } from '../row-progress.ts';
import { assembleRun } from '../results/assemble.ts';
import { machineBusyMs } from '../results/machine.ts';
import type { BackendRun } from '../results/schema.ts';
import type { PlannedRow } from './plan.ts';
import type { RunModels } from './run-models.ts';
import type { TestData } from './test-data.ts';

/** What every row of a run is measured with. */
export interface RowContext {
  readonly profile: Profile;
  readonly childTimeoutMs: number;
  readonly models: RunModels;
  /** the model file a row declares, prepared once per size and format */
  readonly prepareModel: ReturnType<typeof modelFiles>;
  readonly testData: TestData;
  readonly progress: PlanProgress;
}

/** The reference's figures at a size: its logits (null when it had none) and the images it reached. */
export interface ReferenceFigures {
  readonly logits: number[] | null;
  readonly images: number;
}

export interface MeasuredRow {
  readonly run: BackendRun;
  /** the row's agreement logits (the reference's are what the others are compared with) */
  readonly logits: number[] | null | undefined;
}

/**
 * Measures one row in a fresh child: the model its entry declares, the profile's loops for `scenarios`, the
 * agreement against the reference's logits (`reference` null: this row is the reference) on the images it reached.
 */
export async function measureRow(
  ctx: RowContext,
  { size, entry, planned }: PlannedRow,
  scenarios: readonly ScenarioName[],
  reference: ReferenceFigures | null,
): Promise<MeasuredRow> {
  const where = `${entry.label} @${size}px`;
  const weights = await ctx.models.weightsAt(size);
  const modelPath = await ctx.prepareModel(entry.model, size, weights, where);
  const task: ChildTask = {
    runnerModule: runnerPath(entry),
    runner: { size, weightsPath: weights.path, model: entry.model, modelPath, options: entry.options },
    plan: childPlan(ctx.profile, scenarios, reference),
    data: await ctx.testData.at(size),
  };
  const followed = ctx.progress.row(where, planned, ctx.profile.offline.batches.length);
  const busyBefore = await machineBusyMs();
  const parentCpuBefore = process.cpuUsage();
  const outcome = await runChildProcess(task, {
    timeoutMs: ctx.childTimeoutMs,
    onMessage(m) {
      if (m.type === 'progress') followed(m.scenario, m.detail);
    },
  });
  ctx.progress.rowDone(planned);
  const busyAfter = await machineBusyMs();
  const parentCpu = process.cpuUsage(parentCpuBefore);
  const { run, logits } = assembleRun(entry, outcome, {
    size,
    multiplyAdds: multiplyAdds(size),
    labels: ctx.testData.labels,
    referenceLogits: reference?.logits ?? null,
  });
  const childCpuMs = run.memory?.cpuMs;
  if (busyBefore === null || busyAfter === null || childCpuMs === undefined || outcome.wallMs <= 0)
    return { run, logits };
  // The other cores' share of the row's time: the machine's busy time less the child's and this process's own.
  const otherMs = busyAfter - busyBefore - childCpuMs - (parentCpu.user + parentCpu.system) / 1000;
  return { run: { ...run, otherCores: Math.max(0, Math.round((otherMs / outcome.wallMs) * 100) / 100) }, logits };
}

/**
 * The child's plan: the profile's loops. The reference classifies the profile's agreement images within its own
 * time budget; the others classify the images it reached, but a software GPU (seconds per image) stops at its
 * own budget.
 */
export function childPlan(
  profile: Profile,
  scenarios: readonly ScenarioName[],
  reference: ReferenceFigures | null,
): ChildPlan {
  const { agreement } = profile;
  return {
    scenarios,
    soakRequests: profile.soakRequests,
    singleStream: profile.singleStream,
    offline: profile.offline,
    agreement: {
      images: reference?.images ?? agreement.images,
      batch: agreement.batch,
      timeMs: reference === null ? agreement.referenceTimeMs : agreement.othersTimeMs,
      minImages: agreement.minImages,
    },
  };
}
