import { describe, expect, it } from 'vitest';
import type { BackendRun, BenchResults } from '../results/schema.ts';
import { chartsFor } from './charts.ts';
import { renderReport } from './report.ts';
import { readResults } from './write.ts';

const FIXTURE = new URL('../../test/fixtures/results.json', import.meta.url);

/** The fixture with browser rows made from its tfjs wasm SIMD row at 67 px: 1 thread, 2 threads, WebGL on SwiftShader. */
async function withBrowserRows(): Promise<BenchResults> {
  const results = await readResults(FIXTURE.pathname);
  const simd = results.runs.find((r) => r.backend === 'tfjs-wasm-simd' && r.size === 67)!;
  const browser = (
    id: string,
    label: string,
    p50: number,
    details: Record<string, string | number | boolean>,
  ): BackendRun => ({
    ...simd,
    backend: `browser-${id}`,
    label: `${label} (browser)`,
    browser: true,
    facts: {
      engine: 'tfjs',
      version: '4.22.0',
      details: { browser: 'Chromium 156.0.8078.114 (headless)', crossOriginIsolated: true, ...details },
    },
    singleStream: { ...simd.singleStream!, p50 },
  });
  return {
    ...results,
    runs: [
      ...results.runs,
      browser('tfjs-wasm-simd-1t', 'tfjs wasm SIMD 1 thread', 9, { backend: 'wasm', threads: 1 }),
      browser('tfjs-wasm-simd-all', 'tfjs wasm SIMD 2 threads', 5, { backend: 'wasm', threads: 2 }),
      browser('tfjs-webgl', 'tfjs webgl', 700, { backend: 'webgl', adapter: 'ANGLE (SwiftShader)', software: true }),
    ],
  };
}

describe('browser rows in the report', () => {
  it('answers "in a web page, use ..." with the threads ratio and the software adapter said plainly', async () => {
    const md = renderReport(await withBrowserRows());
    const line = md.split('\n').find((l) => l.startsWith('- **In a web page:**'));
    expect(line).toMatch(
      /use \*\*tfjs wasm SIMD 2 threads \(browser\)\*\*: p50 5 ms per image in Chromium 156\.0\.8078\.114 \(headless\)\./,
    );
    expect(line).toMatch(/tfjs wasm SIMD on 2 threads against 1: p50 5 ms against 9 ms, 1\.80× as fast/);
    expect(line).toMatch(
      /tfjs webgl 700 ms ran on a software adapter \(ANGLE \(SwiftShader\)\): a CPU emulating a GPU, not a GPU\./,
    );
    expect(md).toContain("| tfjs wasm SIMD 2 threads (browser: the page's renderer process) |");
    expect(md).toMatch(
      /- \*\*Browser rows\*\* \(marked "\(browser\)"\) run the same model in a web page in headless Chromium/,
    );
    // only at the size that has them
    expect(md.split('\n').filter((l) => l.startsWith('- **In a web page:**'))).toHaveLength(1);
  });

  it('says nothing about browsers in a run without browser rows', async () => {
    const md = renderReport(await readResults(FIXTURE.pathname));
    expect(md).not.toContain('In a web page');
    expect(md).not.toContain('Browser rows');
  });

  it('groups the charts by where each row ran, with full labels', async () => {
    const [latency, throughput] = chartsFor(await withBrowserRows());
    for (const chart of [latency, throughput]) {
      const spec = chart.spec as {
        facet: { row: { field: string; sort: string[] } };
        data: { values: { backend: string; place: string }[] };
      };
      expect(spec.facet.row).toMatchObject({ field: 'place', sort: ['Node', 'browser (Chromium)'] });
      const places = Object.fromEntries(spec.data.values.map((v) => [v.backend, v.place]));
      expect(places['tfjs wasm SIMD']).toBe('Node');
      // the panel says "browser": the label drops the suffix, and stays unique within its panel
      expect(places['tfjs wasm SIMD 2 threads']).toBe('browser (Chromium)');
    }
  });
});
