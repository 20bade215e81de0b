import { bootstrapMedianRatio } from '../stats/bootstrap.ts';
import { mannWhitneyU } from '../stats/mann-whitney.ts';
import { decodeSamples } from '../stats/samples.ts';
import type { LatencySummary } from '../stats/summary.ts';
import type { BackendRun, BenchResults } from '../results/schema.ts';

/**
 * `nin-bench compare BASE NEW`: each timed loop both runs measured, matched by row id, input size, scenario and
 * batch, with a verdict that says whether NEW is slower or faster than BASE beyond the noise. Pure: two results
 * in, one comparison out (the CLI prints it).
 *
 * The verdict of a row, with r = median(NEW) / median(BASE) of the time per call (above 1: NEW is slower), its
 * 95% percentile-bootstrap interval [low, high] (2000 resamples, seeded: the same files give the same interval)
 * and p, the two-sided Mann-Whitney U p-value of the two sets of samples, at threshold t (a fraction):
 *   slower        low > 1 + t  and  p < 0.05
 *   faster        high < 1 - t  and  p < 0.05
 *   within noise  otherwise
 *   no samples    either file has only the summary (format 1): r from the two p50s, no interval, no test
 */
export type Verdict = 'slower' | 'faster' | 'within noise' | 'no samples';

/** the p-value below which a difference counts as significant */
export const SIGNIFICANCE = 0.05;
export const DEFAULT_THRESHOLD_PERCENT = 5;

export interface RowKey {
  readonly backend: string;
  readonly size: number;
  readonly scenario: 'single-stream' | 'offline';
  readonly batch: number;
}

export interface RowComparison extends RowKey {
  readonly label: string;
  readonly baseMedianMs: number;
  readonly newMedianMs: number;
  readonly baseSamples: number;
  readonly newSamples: number;
  /** median(NEW) / median(BASE) */
  readonly ratio: number;
  /** 95% bootstrap interval of the ratio; null without samples on both sides */
  readonly interval: { readonly low: number; readonly high: number } | null;
  /** two-sided Mann-Whitney U p-value; null without samples on both sides */
  readonly p: number | null;
  readonly verdict: Verdict;
}

export interface Difference {
  readonly what: string;
  readonly base: string;
  readonly new: string;
}

export interface Comparison {
  readonly base: { readonly file: string; readonly createdAt: string; readonly format: string };
  readonly new: { readonly file: string; readonly createdAt: string; readonly format: string };
  readonly thresholdPercent: number;
  /** true when CPU model, cores, memory and architecture all agree */
  readonly sameMachine: boolean;
  /** every machine, software and package version, model and profile fact that differs */
  readonly differences: readonly Difference[];
  readonly rows: readonly RowComparison[];
  readonly onlyInBase: readonly (RowKey & { readonly label: string })[];
  readonly onlyInNew: readonly (RowKey & { readonly label: string })[];
  /** rows compared without samples (a format 1 file on either side) */
  readonly withoutSamples: number;
}

interface TimedLoop extends RowKey {
  readonly label: string;
  readonly latency: LatencySummary;
}

const keyOf = (k: RowKey) => `${k.backend}\u0000${k.size}\u0000${k.scenario}\u0000${k.batch}`;

/** Every timed loop of a results file: single-stream (batch 1) and each offline batch that was measured. */
export function timedLoops(results: BenchResults): TimedLoop[] {
  const loops: TimedLoop[] = [];
  const add = (r: BackendRun, scenario: RowKey['scenario'], batch: number, latency: LatencySummary | undefined) => {
    if (latency) loops.push({ backend: r.backend, size: r.size, scenario, batch, label: r.label, latency });
  };
  for (const r of results.runs) {
    add(r, 'single-stream', 1, r.singleStream);
    for (const o of r.offline ?? []) add(r, 'offline', o.batch, o.latency);
  }
  return loops;
}

function samplesOf(latency: LatencySummary): Float64Array | null {
  if (latency.samplesFloat32Base64 === undefined) return null;
  return decodeSamples(latency.samplesFloat32Base64).sort();
}

export function verdictOf(
  interval: { readonly low: number; readonly high: number },
  p: number,
  thresholdPercent: number,
): Verdict {
  const t = thresholdPercent / 100;
  if (p >= SIGNIFICANCE) return 'within noise';
  if (interval.low > 1 + t) return 'slower';
  if (interval.high < 1 - t) return 'faster';
  return 'within noise';
}

function compareLoop(base: TimedLoop, next: TimedLoop, thresholdPercent: number): RowComparison {
  const a = samplesOf(base.latency);
  const b = samplesOf(next.latency);
  const common = {
    backend: base.backend,
    size: base.size,
    scenario: base.scenario,
    batch: base.batch,
    label: next.label,
    baseSamples: base.latency.samples,
    newSamples: next.latency.samples,
  };
  if (!a || !b || a.length === 0 || b.length === 0) {
    return {
      ...common,
      baseMedianMs: base.latency.p50,
      newMedianMs: next.latency.p50,
      ratio: next.latency.p50 / base.latency.p50,
      interval: null,
      p: null,
      verdict: 'no samples',
    };
  }
  const { ratio, low, high } = bootstrapMedianRatio(a, b);
  const { p } = mannWhitneyU(a, b);
  return {
    ...common,
    baseMedianMs: base.latency.p50,
    newMedianMs: next.latency.p50,
    ratio,
    interval: { low, high },
    p,
    verdict: verdictOf({ low, high }, p, thresholdPercent),
  };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The facts that make two machines the same hardware. */
const HARDWARE: readonly [string, (r: BenchResults) => string][] = [
  ['CPU', (r) => r.machine.cpuModel],
  ['cores', (r) => String(r.machine.cores)],
  ['memory', (r) => gib(r.machine.memoryBytes)],
  ['architecture', (r) => r.machine.arch],
];

const SOFTWARE: readonly [string, (r: BenchResults) => string][] = [
  ['OS', (r) => r.machine.os],
  ['kernel', (r) => r.machine.kernel],
  ['Node', (r) => r.machine.node],
  ['weights', (r) => `${r.model.weightsFile} (sha256 ${r.model.sha256.slice(0, 12)})`],
  ['profile', (r) => r.settings.profile],
];

export function machineDifferences(
  base: BenchResults,
  next: BenchResults,
): { same: boolean; differences: Difference[] } {
  const differences: Difference[] = [];
  const check = ([what, fact]: readonly [string, (r: BenchResults) => string]) => {
    if (fact(base) !== fact(next)) differences.push({ what, base: fact(base), new: fact(next) });
  };
  HARDWARE.forEach(check);
  const same = differences.length === 0;
  SOFTWARE.forEach(check);
  const packages = [...new Set([...Object.keys(base.versions), ...Object.keys(next.versions)])].sort();
  for (const name of packages) {
    const a = base.versions[name] ?? 'absent';
    const b = next.versions[name] ?? 'absent';
    if (a !== b) differences.push({ what: name, base: a, new: b });
  }
  return { same, differences };
}

export function compareResults(
  base: { readonly file: string; readonly results: BenchResults },
  next: { readonly file: string; readonly results: BenchResults },
  thresholdPercent = DEFAULT_THRESHOLD_PERCENT,
): Comparison {
  const baseLoops = new Map(timedLoops(base.results).map((l) => [keyOf(l), l]));
  const newLoops = new Map(timedLoops(next.results).map((l) => [keyOf(l), l]));
  const rows: RowComparison[] = [];
  const onlyInNew: (RowKey & { label: string })[] = [];
  for (const [key, loop] of newLoops) {
    const before = baseLoops.get(key);
    if (before) rows.push(compareLoop(before, loop, thresholdPercent));
    else onlyInNew.push(keyAndLabel(loop));
  }
  const onlyInBase = [...baseLoops].filter(([key]) => !newLoops.has(key)).map(([, loop]) => keyAndLabel(loop));
  const { same, differences } = machineDifferences(base.results, next.results);
  const about = (f: typeof base) => ({ file: f.file, createdAt: f.results.createdAt, format: f.results.format });
  return {
    base: about(base),
    new: about(next),
    thresholdPercent,
    sameMachine: same,
    differences,
    rows,
    onlyInBase,
    onlyInNew,
    withoutSamples: rows.filter((r) => r.verdict === 'no samples').length,
  };
}

const keyAndLabel = (l: TimedLoop) => ({
  backend: l.backend,
  size: l.size,
  scenario: l.scenario,
  batch: l.batch,
  label: l.label,
});

/** The CI gate: some row is slower beyond the threshold, with significance. */
export const hasRegression = (c: Comparison): boolean => c.rows.some((r) => r.verdict === 'slower');
