// The subpath, not the core's index: the bench child imports this before the runner's timed init, and the
// index would load tfjs (spawn.test.ts checks that nothing does).
import { quantileSorted } from '@nin-bench/core-nin/stats/quantile';
import type { Statistics, Task } from 'tinybench';
import { encodeSamples, type EncodedSamples } from './samples.ts';

/**
 * What the report shows for a set of timed calls: tinybench's statistics, plus p90 (tinybench reports p50,
 * p75, p99, p99.5, p99.9), computed from the retained samples with tinybench's own quantile definition.
 * Milliseconds throughout.
 */
export interface LatencySummary {
  readonly samples: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly sd: number;
  /** half-width of the 95% confidence interval of the mean (Student's t), ms */
  readonly moe: number;
  /** `moe` relative to the mean, percent */
  readonly rme: number;
  /**
   * every timed call's duration, sorted (`samples.ts`: float32 base64), for `nin-bench compare`; absent in
   * results files before format 2
   */
  readonly samplesFloat32Base64?: EncodedSamples;
}

export { quantileSorted };

/** Our summary of tinybench's latency statistics; the task must have been added with `retainSamples: true`. */
export function summarizeLatency(latency: Statistics): LatencySummary {
  const samples = latency.samples;
  if (!samples || samples.length === 0)
    throw new Error('tinybench kept no samples: add the task with retainSamples: true');
  return {
    samples: latency.samplesCount,
    mean: latency.mean,
    min: latency.min,
    max: latency.max,
    p50: latency.p50,
    p90: quantileSorted(samples, 0.9),
    p99: latency.p99,
    sd: latency.sd,
    moe: latency.moe,
    rme: latency.rme,
    samplesFloat32Base64: encodeSamples(samples),
  };
}

/** The latency summary of a finished tinybench task; throws with tinybench's own error when the task failed. */
export function summarizeTask(task: Task): LatencySummary {
  const result = task.result;
  if (result.state === 'errored') throw result.error;
  if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') {
    throw new Error(`benchmark "${task.name}" ended in state ${result.state}`);
  }
  return summarizeLatency(result.latency);
}

/** Throughput of a batch size: images per second from the latency of whole batches (mean), with its margin. */
export interface ThroughputSummary {
  readonly imagesPerSecond: number;
  /** relative margin of error of the mean batch latency, percent (the same relative margin applies to its inverse to first order) */
  readonly rme: number;
}

export function throughputFromLatency(batch: number, latency: LatencySummary): ThroughputSummary {
  return { imagesPerSecond: (batch * 1000) / latency.mean, rme: latency.rme };
}

/** Achieved GFLOP/s: a multiply-add is two floating-point operations. */
export function gflopsPerSecond(multiplyAddsPerImage: number, imagesPerSecond: number): number {
  return (2 * multiplyAddsPerImage * imagesPerSecond) / 1e9;
}
