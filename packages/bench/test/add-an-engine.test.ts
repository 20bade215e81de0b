// Adding an engine is a runner file and one registry declaration (README "Adding an engine"): a fixture engine
// declared through the registry alone, with no other code told of it, is prepared the model it declares, runs, and
// shows up in the run's results and in the rendered report.
import { describe, expect, it } from 'vitest';
import { runBench } from '../src/orchestrate.ts';
import { createCatalog, selectEntries, type EngineDeclaration } from '../src/plan/catalog.ts';
import { PROFILES } from '../src/plan/profiles.ts';
import { renderReport } from '../src/report/report.ts';
import { smokeRequest, useTinyModel } from './test-support.ts';

/** The one declaration: an engine on the ONNX export, run in Node, named by nothing else in the bench. */
const ECHO: EngineDeclaration = {
  id: 'echo-1t',
  label: 'echo engine 1 thread',
  engine: 'echo',
  runner: '../../test/fixtures/runners/echo.ts',
  options: {},
  model: 'onnx',
  runsIn: 'node',
  portable: true,
  versionPackages: [],
  threads: 1,
};

const tinyModel = useTinyModel();

describe('an engine added through the registry alone', () => {
  it('is selected, handed the model it declares, measured, and reported', async () => {
    const catalog = createCatalog(2, [ECHO]);
    const entries = selectEntries(catalog, ['tfjs-cpu', 'echo']);
    expect(entries.map((e) => [e.id, e.browser, e.remote])).toEqual([
      ['tfjs-cpu', false, false],
      ['echo-1t', false, false],
    ]);
    const results = await runBench(
      await smokeRequest(tinyModel(), { entries, scenarios: ['cold-start', 'single-stream', 'agreement'] }),
    );
    const echo = results.runs.find((r) => r.backend === 'echo-1t');
    expect(echo).toMatchObject({ status: 'ok', label: 'echo engine 1 thread', engine: 'echo' });
    // the orchestrator prepared the ONNX export for it, by its declaration, not by its name
    expect(echo!.facts?.details).toMatchObject({ declaredModel: 'onnx', onnx: true });
    expect(echo!.facts?.details.modelFile).toMatch(/\.onnx$/);
    expect(echo!.facts?.details.modelBytes).toBeGreaterThan(1000);
    expect(echo!.singleStream!.samples).toBeGreaterThanOrEqual(PROFILES.smoke.singleStream.minIterations);
    expect(echo!.agreement?.images).toBe(results.runs[0]!.agreement?.images);
    const report = renderReport(results);
    expect(report).toContain('echo engine 1 thread');
  });
});
