// Which edge build to deploy on which Workers plan, from a bench run's edge rows: the lowest Worker CPU per request
// among the builds whose served model reaches the accuracy target and whose CPU fits the plan's limit. The edge's
// default build (packages/edge-api) is this choice for the Free plan; test/edge-default-build.test.ts holds the two
// together over the committed run.
import { planFor } from '../edge/workers-pricing.ts';
import type { BackendRun, BenchResults } from '../results/schema.ts';

/** The test accuracy (all 10,000 images) a build's model must reach to be offered. */
export const EDGE_ACCURACY_TARGET = 0.88;

/** One measured edge build. */
export interface EdgeBuildFigures {
  readonly run: BackendRun;
  readonly size: number;
  /** the engine the Worker reported (`tfjs`, `onnxruntime-int8`) */
  readonly engine: string;
  readonly workerCpuMs: number;
  /** the served model's test accuracy as its manifest / metadata records it (null: not reported) */
  readonly testAccuracy: number | null;
}

/** Every edge row that ran and measured its Worker's CPU. */
export function edgeBuildFigures(results: BenchResults): EdgeBuildFigures[] {
  const out: EdgeBuildFigures[] = [];
  for (const run of results.runs) {
    if (!run.remote || run.status !== 'ok') continue;
    const cpu = run.extras?.find((e) => e.name === 'Worker CPU per request')?.value;
    if (typeof cpu !== 'number') continue;
    const accuracy = run.facts?.details.servedTestAccuracy;
    out.push({
      run,
      size: run.size,
      engine: String(run.facts?.details.servedEngine ?? 'tfjs'),
      workerCpuMs: cpu,
      testAccuracy: typeof accuracy === 'number' ? accuracy : null,
    });
  }
  return out;
}

/**
 * The build to deploy on `plan`: the lowest Worker CPU per request among those at >= EDGE_ACCURACY_TARGET within the
 * plan's CPU limit (Paid: its default 30 s), or null when none qualifies.
 */
export function chooseEdgeBuild(results: BenchResults, plan: 'free' | 'paid'): EdgeBuildFigures | null {
  // the plans whose CPU limit per request a build may need (workers-pricing's planFor holds the limits)
  const fits = plan === 'free' ? ['free'] : ['free', 'paid'];
  return (
    edgeBuildFigures(results)
      .filter(
        (b) =>
          b.testAccuracy !== null && b.testAccuracy >= EDGE_ACCURACY_TARGET && fits.includes(planFor(b.workerCpuMs)),
      )
      .sort((a, b) => a.workerCpuMs - b.workerCpuMs)[0] ?? null
  );
}
