import { describe, expect, it } from 'vitest';
import type { BackendRun, BenchResults } from '../results/schema.ts';
import { EDGE_ACCURACY_TARGET, chooseEdgeBuild, edgeBuildFigures } from './edge-choice.ts';
import { edgeBlock } from './readme-figures.ts';
import { readResults } from './write.ts';

const FIXTURE = new URL('../../test/fixtures/results.json', import.meta.url);

/** An edge row as the runner writes it: the served model's engine and accuracy, its Worker's CPU per request. */
function edgeRow(size: number, engine: string, cpuMs: number, accuracy: number, p50 = cpuMs + 2): BackendRun {
  const id = `edge-${size}-${engine === 'tfjs' ? 'tfjs' : 'onnx-int8'}`;
  return {
    backend: id,
    label: `edge endpoint ${size} px, ${engine}`,
    engine: 'edge',
    remote: true,
    size,
    status: 'ok',
    facts: {
      engine: 'edge endpoint',
      version: `Hono on workerd, ${engine}`,
      details: { servedWeights: `int8, ${size} px`, servedEngine: engine, servedTestAccuracy: accuracy },
    },
    singleStream: {
      samples: 10,
      mean: p50,
      min: p50,
      max: p50,
      p50,
      p90: p50,
      p99: p50,
      sd: 0,
      moe: 0,
      rme: 0,
      gflops: 1,
    },
    extras: [{ name: 'Worker CPU per request', value: cpuMs, unit: 'ms', verdict: `plan for ${cpuMs} ms` }],
  } as BackendRun;
}

async function withEdgeRows(rows: BackendRun[]): Promise<BenchResults> {
  const base = await readResults(FIXTURE.pathname);
  return { ...base, runs: [...base.runs, ...rows] };
}

const builds = () => [
  edgeRow(224, 'tfjs', 56.7, 0.8876),
  edgeRow(224, 'onnxruntime-int8', 40, 0.8877),
  edgeRow(100, 'tfjs', 12.2, 0.9012),
  edgeRow(100, 'onnxruntime-int8', 7.9, 0.9001),
  edgeRow(96, 'tfjs', 6.5, 0.61), // the cheapest, but under the accuracy target
];

describe('which edge build to deploy', () => {
  it('Free: the lowest Worker CPU among the builds at the accuracy target within 10 ms; Paid: the same when it is cheapest', async () => {
    const results = await withEdgeRows(builds());
    expect(edgeBuildFigures(results)).toHaveLength(5);
    expect(EDGE_ACCURACY_TARGET).toBe(0.88);
    expect(chooseEdgeBuild(results, 'free')?.run.backend).toBe('edge-100-onnx-int8');
    expect(chooseEdgeBuild(results, 'paid')?.run.backend).toBe('edge-100-onnx-int8');
    expect(edgeBlock(results)).toContain(
      '**Deploy** (the lowest Worker CPU per request among the builds at >= 0.88 test accuracy): Workers' +
        ' Free: **edge endpoint 100 px, onnxruntime-int8** (7.9 ms of Worker CPU, test accuracy 0.9001), the' +
        " lowest Worker CPU per request among the builds at >= 0.88 test accuracy within the Free plan's 10" +
        ' ms. Workers Paid: the same build, the cheapest per request too.',
    );
  });

  it('no build within 10 ms: none for Free, and the cheapest qualifying one for Paid', async () => {
    const results = await withEdgeRows(
      builds().map((r) => (r.size === 100 ? edgeRow(100, r.facts!.details.servedEngine as string, 10.4, 0.9) : r)),
    );
    expect(chooseEdgeBuild(results, 'free')).toBeNull();
    expect(chooseEdgeBuild(results, 'paid')?.size).toBe(100);
    expect(edgeBlock(results)).toContain(
      "Workers Free: no build at >= 0.88 fits the Free plan's 10 ms of CPU in this run.",
    );
  });

  it('the block gives each build its ratios: to the 224 px tfjs build, to the tfjs build of its size, p50 to bare tfjs wasm SIMD', async () => {
    const results = await withEdgeRows(builds());
    const line = edgeBlock(results)
      .split('\n')
      .find((l) => l.startsWith('| edge endpoint 100 px, onnxruntime-int8 |'))!;
    // 7.9 / 56.7 = 0.14; 7.9 / 12.2 = 0.65
    expect(line).toMatch(
      /\| int8, 100 px: 0\.9001 \| 9\.9\d* ms \| 7\.9 ms \| 0\.14× \| 0\.65× \| plan for 7\.9 ms \| - \|$/,
    );
    // a row without a tfjs-wasm-simd row at its size shows no p50 ratio; the fixture has one at 67 px only
    const at224 = edgeBlock(results)
      .split('\n')
      .find((l) => l.startsWith('| edge endpoint 224 px, tfjs |'))!;
    expect(at224).toContain('| 56.7 ms | - | - |'); // itself: no ratio to itself
  });
});
