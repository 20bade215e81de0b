import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../results/schema.ts';
import { readResults } from '../report/write.ts';
import { decodeSamples, encodeSamples } from '../stats/samples.ts';
import type { LatencySummary } from '../stats/summary.ts';
import { compareResults, hasRegression, verdictOf } from './compare.ts';
import { renderComparison } from './render.ts';

// A smoke run with samples (format 2: tfjs wasm SIMD and onnxruntime-node 1 thread at 67 px) and the older
// summaries-only fixture (format 1).
const WITH_SAMPLES = new URL('../../test/fixtures/results-samples.json', import.meta.url).pathname;
const SUMMARIES_ONLY = new URL('../../test/fixtures/results.json', import.meta.url).pathname;

const scaled = (l: LatencySummary, factor: number): LatencySummary => ({
  ...l,
  p50: l.p50 * factor,
  samplesFloat32Base64: encodeSamples(decodeSamples(l.samplesFloat32Base64!).map((v) => v * factor)),
});

/** The run with onnxruntime-node's single-stream samples all 30% slower. */
function oneRowSlower(results: BenchResults): BenchResults {
  return {
    ...results,
    runs: results.runs.map((r) =>
      r.backend === 'onnxruntime-node-1t'
        ? { ...r, singleStream: { ...r.singleStream!, ...scaled(r.singleStream!, 1.3) } }
        : r,
    ),
  };
}

describe('compare', () => {
  it('a run against itself flags nothing', async () => {
    const run = await readResults(WITH_SAMPLES);
    const c = compareResults({ file: 'a', results: run }, { file: 'a', results: run });
    expect(c.rows.length).toBe(6); // 2 backends x (single-stream + offline batch 1 and 4)
    expect(c.rows.every((r) => r.verdict === 'within noise' && r.ratio === 1 && r.p === 1)).toBe(true);
    expect(c.rows.every((r) => r.interval!.low <= 1 && r.interval!.high >= 1)).toBe(true);
    expect(c.sameMachine).toBe(true);
    expect(c.differences).toEqual([]);
    expect(hasRegression(c)).toBe(false);
    expect(renderComparison(c)).toContain('No row is slower than the base by more than 5% with significance.');
  });

  it('flags the one row made 30% slower, and only it', async () => {
    const run = await readResults(WITH_SAMPLES);
    const c = compareResults({ file: 'base', results: run }, { file: 'new', results: oneRowSlower(run) });
    const flagged = c.rows.filter((r) => r.verdict !== 'within noise');
    expect(flagged.map((r) => [r.backend, r.scenario, r.batch, r.verdict])).toEqual([
      ['onnxruntime-node-1t', 'single-stream', 1, 'slower'],
    ]);
    expect(flagged[0].ratio).toBeCloseTo(1.3, 5);
    expect(flagged[0].interval!.low).toBeGreaterThan(1.05);
    expect(flagged[0].p).toBeLessThan(1e-6);
    expect(hasRegression(c)).toBe(true);
    // the other way round it is faster, and no gate trips
    const back = compareResults({ file: 'new', results: oneRowSlower(run) }, { file: 'base', results: run });
    expect(back.rows.filter((r) => r.verdict !== 'within noise').map((r) => r.verdict)).toEqual(['faster']);
    expect(hasRegression(back)).toBe(false);
    // a threshold above the change keeps it within noise
    expect(
      hasRegression(compareResults({ file: 'b', results: run }, { file: 'n', results: oneRowSlower(run) }, 40)),
    ).toBe(false);
  });

  it('says when the files come from different machines, and what else differs', async () => {
    const run = await readResults(WITH_SAMPLES);
    const other: BenchResults = {
      ...run,
      machine: { ...run.machine, cpuModel: 'NVIDIA Grace', cores: 72, arch: 'arm64', node: 'v22.1.0' },
      versions: { ...run.versions, 'onnxruntime-node': '1.31.0' },
    };
    const c = compareResults({ file: 'here', results: run }, { file: 'there', results: other });
    expect(c.sameMachine).toBe(false);
    expect(c.differences.map((d) => d.what)).toEqual(['CPU', 'cores', 'architecture', 'Node', 'onnxruntime-node']);
    const md = renderComparison(c);
    expect(md).toContain('**The files come from different machines**');
    expect(md).toContain(`| CPU | ${run.machine.cpuModel} | NVIDIA Grace |`);
    // software alone does not make another machine
    const upgraded = compareResults(
      { file: 'a', results: run },
      { file: 'b', results: { ...run, machine: { ...run.machine, node: 'v22.1.0' } } },
    );
    expect(upgraded.sameMachine).toBe(true);
    expect(upgraded.differences).toEqual([{ what: 'Node', base: run.machine.node, new: 'v22.1.0' }]);
  });

  it('compares a file from before samples were kept by its medians only, and says so', async () => {
    const old = await readResults(SUMMARIES_ONLY);
    const c = compareResults({ file: 'old', results: old }, { file: 'old', results: old });
    expect(c.rows.length).toBeGreaterThan(0);
    expect(c.rows.every((r) => r.verdict === 'no samples' && r.interval === null && r.p === null)).toBe(true);
    expect(c.withoutSamples).toBe(c.rows.length);
    expect(hasRegression(c)).toBe(false);
    expect(renderComparison(c)).toMatch(/row\(s\) say "no samples": a file made before results format 2/);
    // against a file with samples: the rows both have, by medians; the rest listed as only in one file
    const run = await readResults(WITH_SAMPLES);
    const mixed = compareResults({ file: 'old', results: old }, { file: 'new', results: run });
    expect(mixed.rows.map((r) => [r.backend, r.size, r.scenario, r.batch, r.verdict])).toContainEqual([
      'onnxruntime-node-1t',
      67,
      'single-stream',
      1,
      'no samples',
    ]);
    expect(mixed.onlyInBase.map((k) => `${k.backend}@${k.size}`)).toContain('tfjs-cpu@67');
    expect(renderComparison(mixed)).toContain('## Only in the base');
  });

  it('verdicts: outside the threshold and significant, else within noise', () => {
    expect(verdictOf({ low: 1.06, high: 1.2 }, 0.01, 5)).toBe('slower');
    expect(verdictOf({ low: 1.04, high: 1.2 }, 0.01, 5)).toBe('within noise'); // interval reaches into the threshold
    expect(verdictOf({ low: 1.06, high: 1.2 }, 0.05, 5)).toBe('within noise'); // not significant
    expect(verdictOf({ low: 0.8, high: 0.94 }, 0.001, 5)).toBe('faster');
    expect(verdictOf({ low: 0.8, high: 0.96 }, 0.001, 5)).toBe('within noise');
    expect(verdictOf({ low: 1.01, high: 1.02 }, 0.001, 0)).toBe('slower');
  });
});
