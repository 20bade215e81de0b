import { copyFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededWeightsFile } from '../test/fixtures/tiny-model.ts';
import { smokeRequest, useTinyModel } from '../test/test-support.ts';
import { runBench } from './orchestrate.ts';
import type { CatalogEntry } from './plan/catalog.ts';
import { PROFILES } from './plan/profiles.ts';
import { renderReport } from './report/report.ts';
import type { BenchResults } from './results/schema.ts';

/** A Node row on the weights, declared as the registry declares its own (plan/catalog.ts). */
const declared = (entry: Pick<CatalogEntry, 'id' | 'label' | 'engine' | 'runner' | 'options'>): CatalogEntry => ({
  model: 'safetensors',
  runsIn: 'node',
  portable: true,
  versionPackages: [],
  browser: false,
  remote: false,
  ...entry,
});

const fixture = (name: string): CatalogEntry =>
  declared({
    id: `fixture-${name}`,
    label: `fixture ${name}`,
    engine: 'fixture',
    runner: `../../test/fixtures/runners/${name}.ts`,
    options: { msPerImage: 5 },
  });

/** Three rows that measure single images: two of the slow fixture and the probe. */
const threeRows = (): CatalogEntry[] => [
  fixture('slow'),
  fixture('probe'),
  { ...fixture('slow'), id: 'fixture-slow-2', label: 'slow 2' },
];

const tinyModel = useTinyModel();

describe('runBench', () => {
  it('runs each entry in its own process, keeps going past a crash, and checkpoints after every row', async () => {
    const checkpoints: BenchResults[] = [];
    const results = await runBench(
      await smokeRequest(tinyModel(), {
        entries: [
          {
            ...declared({ id: 'never', label: 'never here', engine: 'fixture', runner: 'none.ts', options: {} }),
            unavailable: 'not in this universe',
          },
          fixture('crash'),
          fixture('slow'),
        ],
        scenarios: ['cold-start', 'single-stream', 'offline', 'agreement', 'memory'],
        checkpoint: async (partial) => {
          checkpoints.push(partial);
        },
      }),
    );
    expect(checkpoints.map((c) => c.runs.length)).toEqual([1, 2, 3]);
    expect(results.runs.map((r) => [r.backend, r.status])).toEqual([
      ['never', 'unavailable'],
      ['fixture-crash', 'partial'],
      ['fixture-slow', 'ok'],
    ]);
    expect(results.runs[1].errors?.join()).toMatch(/exited with code 134 during offline \(batch 4\)/);
    // no reference ran, so accuracy is there but no logit comparison
    expect(results.runs[2].agreement).toMatchObject({ images: PROFILES.smoke.agreement.images, maxAbsLogitDiff: null });
    // the other cores' share of the row's time: a measured number, at most every core of the machine
    if (process.platform === 'linux') {
      expect(results.runs[2].otherCores).toEqual(expect.any(Number));
      expect(results.runs[2].otherCores).toBeLessThanOrEqual(availableParallelism());
    }
    expect(results.settings.sizes).toEqual([tinyModel().size]); // the size from the weights' manifest
    expect(results.model.multiplyAdds[String(tinyModel().size)]).toBe(53_940_520);
    expect(results.wasmPeak).toBeUndefined(); // no WebAssembly row, no peak probe
  });

  it('runs the WebAssembly peak probe once in Node when the plan has a wasm row', async () => {
    const results = await runBench(
      await smokeRequest(tinyModel(), {
        entries: [{ ...fixture('slow'), id: 'a-wasm-row', wasmArithmetic: 'float32' }],
        scenarios: ['cold-start', 'single-stream'],
      }),
    );
    expect(results.wasmPeak?.runtime).toBe(`Node ${process.version} (V8 ${process.versions.v8})`);
    expect(results.wasmPeak?.float32Kernel).toMatch(/^f32x4-/);
    expect(results.wasmPeak?.float32Gflops).toBeGreaterThan(1);
    expect(results.wasmPeak?.int8Gops).toBeGreaterThan(1);
  });

  it('hands an int8 row the int8 model of its size (made once per size) and records where it came from', async () => {
    const { size } = tinyModel();
    // by the declared model, whatever the engine's name
    const onnxEntry = (id: string, int8Of?: string): CatalogEntry => ({
      ...declared({
        id,
        label: id,
        engine: 'fixture',
        runner: '../../test/fixtures/runners/onnx-file.ts',
        options: {},
      }),
      model: int8Of ? 'onnx-int8' : 'onnx',
      ...(int8Of ? { int8Of } : {}),
    });
    const info = {
      size,
      source: 'a fixture',
      sha256: '00',
      calibration: 'none',
      testAccuracy: null,
      evaluatedOn: null,
      floatTestAccuracy: null,
      preparedMs: 0,
    };
    const asked: number[] = [];
    const results = await runBench(
      await smokeRequest(tinyModel(), {
        entries: [onnxEntry('float'), onnxEntry('int8-a', 'float'), onnxEntry('int8-b', 'float')],
        scenarios: ['cold-start', 'memory'],
        int8Model: async (size, format) => {
          expect(format).toBe('onnx-int8');
          asked.push(size);
          return { bytes: new Uint8Array(123), info: { ...info, size } };
        },
      }),
    );
    expect(asked).toEqual([size]);
    expect(
      results.runs.map((r) => [
        r.backend,
        r.int8Of ?? null,
        r.facts?.details.onnxFile,
        r.facts?.details.onnxBytes === 123,
      ]),
    ).toEqual([
      ['float', null, `nin-${size}.onnx`, false],
      ['int8-a', 'float', `nin-${size}.int8.onnx`, true],
      ['int8-b', 'float', `nin-${size}.int8.onnx`, true],
    ]);
    expect(results.model.int8).toEqual({ [String(size)]: { ...info, size } });
  });

  it("runs each size on the weights trained for it when they are beside the bench's, records which, and times each size", async () => {
    // the bench's weights as the trainer names them (67 px), and weights trained for 71 px beside them
    const model = tinyModel();
    const main = join(model.dir, 'nin-fmnist-67.safetensors');
    await copyFile(model.weightsPath, main);
    await writeFile(join(model.dir, 'nin-fmnist-71.safetensors'), await seededWeightsFile(71, 11));
    const results = await runBench(
      await smokeRequest(model, {
        entries: [fixture('weights-file')],
        scenarios: ['cold-start', 'memory'],
        sizes: [67, 71, 75],
        weightsPath: main,
      }),
    );
    expect(results.runs.map((r) => [r.size, r.facts?.details.weightsFile])).toEqual([
      [67, 'nin-fmnist-67.safetensors'],
      [71, 'nin-fmnist-71.safetensors'],
      [75, 'nin-fmnist-67.safetensors'],
    ]);
    const bySize = results.model.weightsBySize!;
    expect(Object.fromEntries(Object.entries(bySize).map(([s, w]) => [s, w.trainedInputSize]))).toEqual({
      '67': 67,
      '71': 71,
      '75': 67,
    });
    expect(bySize['71'].weightsFile).toMatch(/nin-fmnist-71\.safetensors$/);
    expect(bySize['71'].sha256).not.toBe(results.model.sha256);
    expect(results.model.trainedInputSize).toBe(67);

    // each size's own wall time: at least its row's child (from process start to its first inference), and all
    // of them together no more than the run's
    const durations = results.durationMsBySize!;
    expect(Object.keys(durations)).toEqual(['67', '71', '75']);
    for (const run of results.runs) {
      const { processMs, initMs, loadMs, firstInferenceMs } = run.coldStart!;
      expect(durations[String(run.size)]).toBeGreaterThanOrEqual(processMs + initMs + loadMs + firstInferenceMs);
    }
    const sum = Object.values(durations).reduce((a, ms) => a + ms, 0);
    expect(sum).toBeLessThanOrEqual(results.durationMs);
    // the report states them beside the run's duration
    expect(renderReport(results)).toMatch(/ minutes \([\d.]+ at 67 px, [\d.]+ at 71 px, [\d.]+ at 75 px\); command /);
  });

  it('--rounds: runs the plan again in new orders, each row in a fresh process, and keeps every round', async () => {
    const results = await runBench(
      await smokeRequest(tinyModel(), {
        entries: threeRows(),
        scenarios: ['cold-start', 'single-stream', 'memory'],
        rounds: 3,
        seed: 4,
      }),
    );
    expect(results.settings.rounds).toEqual({ count: 3, seed: 4 });
    // one row per backend, in the plan's order, whatever order the rounds ran in
    expect(results.runs.map((r) => r.backend)).toEqual(['fixture-slow', 'fixture-probe', 'fixture-slow-2']);
    for (const r of results.runs) {
      expect(r.rounds!.map((x) => x.round)).toEqual([1, 2, 3]);
      expect(r.rounds!.every((x) => x.singleStreamP50! > 0)).toBe(true);
      const p50s = r.rounds!.map((x) => x.singleStreamP50!).sort((a, b) => a - b);
      expect(r.singleStream!.p50).toBe(p50s[1]); // the median round's own measurements
      expect(r.rounds![r.round! - 1].singleStreamP50).toBe(r.singleStream!.p50);
    }
    // each round's order is a permutation of the three rows
    for (let round = 0; round < 3; round++)
      expect(results.runs.map((r) => r.rounds![round].position).sort()).toEqual([1, 2, 3]);
  });

  it("runs the profile's further single-stream rounds, single-stream alone, each row in a fresh process, in a seeded order", async () => {
    const run = async (seed?: number) =>
      runBench(
        await smokeRequest(tinyModel(), {
          profile: { ...PROFILES.smoke, singleStreamRounds: 3 },
          entries: threeRows(),
          scenarios: ['cold-start', 'single-stream', 'offline', 'memory'],
          ...(seed === undefined ? {} : { seed }),
        }),
      );
    const results = await run();
    expect(results.settings.singleStreamRounds).toEqual({ count: 3, seed: 1 });
    expect(results.settings.rounds).toBeUndefined();
    for (const r of results.runs) {
      expect(r.rounds!.map((x) => x.round)).toEqual([1, 2, 3]);
      const p50s = r.rounds!.map((x) => x.singleStreamP50!);
      expect(p50s.every((p) => p > 0)).toBe(true);
      expect(r.singleStream!.p50).toBe([...p50s].sort((a, b) => a - b)[1]); // the median round's latency
      // round 1's other scenarios stay: further rounds measure single images only
      expect(r.offline?.length).toBeGreaterThan(0);
      expect(r.coldStart).toBeDefined();
    }
    // every further round ran every row, each at its own place in that round's order
    for (let round = 1; round < 3; round++)
      expect(results.runs.map((r) => r.rounds![round].position).sort()).toEqual([1, 2, 3]);
    // the order is drawn from the seed: the same seed gives the same order
    const again = await run();
    expect(again.runs.map((r) => r.rounds!.map((x) => x.position))).toEqual(
      results.runs.map((r) => r.rounds!.map((x) => x.position)),
    );
  });
});
