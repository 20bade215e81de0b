import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessImages } from '@nin-bench/core-nin';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { writeTinyModel } from '../../test/fixtures/tiny-model.ts';
import type { ChildMessage, ChildPlan, ChildTask } from './protocol.ts';
import { runChildProcess } from './spawn.ts';

const runnerFile = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

const PLAN: ChildPlan = {
  scenarios: ['cold-start', 'single-stream', 'offline', 'agreement', 'memory'],
  singleStream: { timeMs: 50, minIterations: 4, warmupIterations: 1 },
  offline: { batches: [1, 3], timeMs: 50, minIterations: 2, maxCallMs: 60_000 },
  agreement: { images: 6, batch: 4 },
};

let model: Awaited<ReturnType<typeof writeTinyModel>>;
let data: ChildTask['data'];

beforeAll(async () => {
  model = await writeTinyModel();
  const test = await loadFashionMnist('test');
  const imagesPath = join(model.dir, 'images.bin');
  await writeFile(imagesPath, test.images.subarray(0, 8 * 784));
  const inputsPath = join(model.dir, 'inputs.f32');
  const inputs = preprocessImages(test.images.subarray(0, 3 * 784), model.size);
  await writeFile(inputsPath, new Uint8Array(inputs.buffer));
  data = { imagesPath, labelsPath: join(model.dir, 'unused'), count: 8, inputsPath, inputCount: 3 };
});
afterAll(async () => {
  await rm(model.dir, { recursive: true, force: true });
});

function task(runner: string, options: ChildTask['runner']['options'] = {}, plan: ChildPlan = PLAN): ChildTask {
  return {
    runnerModule: runner,
    runner: {
      size: model.size,
      weightsPath: model.weightsPath,
      model: 'onnx',
      modelPath: model.onnxPath,
      options,
    },
    plan,
    data,
  };
}

const ofType = <T extends ChildMessage['type']>(messages: ChildMessage[], type: T) =>
  messages.filter((m): m is Extract<ChildMessage, { type: T }> => m.type === type);

describe('child-process runner', () => {
  it('runs tfjs cpu on the tiny model through every scenario and reports plain JSON', async () => {
    const progress: string[] = [];
    const out = await runChildProcess(task(runnerFile('../runners/tfjs.ts'), { backend: 'cpu' }), {
      timeoutMs: 120_000,
      onMessage: (m) => m.type === 'progress' && progress.push(m.scenario),
    });
    expect(out.failure).toBeUndefined();
    expect(out.exitCode).toBe(0);
    const [facts] = ofType(out.messages, 'facts');
    expect(facts.facts).toMatchObject({ engine: 'tfjs', details: { backend: 'cpu' } });
    const [cold] = ofType(out.messages, 'cold-start');
    const c = cold.coldStart;
    expect(c.totalMs).toBeCloseTo(c.processMs + c.initMs + c.loadMs + c.firstInferenceMs, 6);
    expect(Math.min(c.processMs, c.initMs, c.loadMs, c.firstInferenceMs)).toBeGreaterThan(0);
    const [single] = ofType(out.messages, 'single-stream');
    expect(single.latency.samples).toBeGreaterThanOrEqual(4);
    expect(single.latency.min).toBeLessThanOrEqual(single.latency.p50);
    expect(single.latency.p50).toBeLessThanOrEqual(single.latency.p90);
    expect(single.latency.p90).toBeLessThanOrEqual(single.latency.p99);
    const offline = ofType(out.messages, 'offline').map((m) => m.point);
    expect(offline.map((p) => p.batch)).toEqual([1, 3]);
    for (const p of offline) expect('latency' in p && p.latency.samples).toBeGreaterThanOrEqual(2);
    const [agreement] = ofType(out.messages, 'agreement');
    expect(agreement.images).toBe(6);
    expect(agreement.logits).toHaveLength(60);
    const [memory] = ofType(out.messages, 'memory');
    expect(memory.memory.peakRssBytes).toBeGreaterThan(memory.memory.startRssBytes);
    expect(memory.memory.wasmHeapBytes).toBeNull(); // tfjs cpu is plain JavaScript
    expect(progress).toEqual(expect.arrayContaining(['cold-start', 'single-stream', 'offline', 'agreement']));
    expect(out.messages.at(-1)).toEqual({ type: 'done' });
  });

  it('gives onnxruntime-web the same logits as tfjs cpu on the same images and sees its WebAssembly heap', async () => {
    const plan: ChildPlan = { ...PLAN, scenarios: ['cold-start', 'agreement', 'memory'] };
    const cpu = await runChildProcess(task(runnerFile('../runners/tfjs.ts'), { backend: 'cpu' }, plan), {
      timeoutMs: 120_000,
    });
    const web = await runChildProcess(task(runnerFile('../runners/onnxruntime-web.ts'), { threads: 1 }, plan), {
      timeoutMs: 120_000,
    });
    expect(web.failure).toBeUndefined();
    const a = ofType(cpu.messages, 'agreement')[0].logits;
    const b = ofType(web.messages, 'agreement')[0].logits;
    expect(b).toHaveLength(a.length);
    expect(Math.max(...a)).toBeGreaterThan(0.01); // the tiny model's logits are not all zero: the comparison means something
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-3);
    expect(ofType(web.messages, 'memory')[0].memory.wasmHeapBytes).toBeGreaterThan(1 << 20);
  });

  it("loads no engine before the runner's init is timed (the harness does not import tfjs)", async () => {
    const plan: ChildPlan = { ...PLAN, scenarios: ['cold-start', 'memory'] };
    const out = await runChildProcess(task(runnerFile('../../test/fixtures/runners/probe.ts'), {}, plan), {
      timeoutMs: 60_000,
    });
    expect(ofType(out.messages, 'facts')[0].facts.details).toEqual({ tfjsLoadedBeforeInit: false });
  });

  it('turns a runner whose engine is missing into an "unavailable" message with its reason', async () => {
    const out = await runChildProcess(task(runnerFile('../../test/fixtures/runners/unavailable.ts')), {
      timeoutMs: 60_000,
    });
    expect(out.failure).toBeUndefined();
    expect(ofType(out.messages, 'unavailable')).toEqual([{ type: 'unavailable', reason: 'no such accelerator here' }]);
  });

  it('keeps what a child measured before it crashed, and says where it crashed', async () => {
    const out = await runChildProcess(task(runnerFile('../../test/fixtures/runners/crash.ts')), { timeoutMs: 60_000 });
    expect(out.failure).toMatch(/exited with code 134 during offline \(batch 3\): fixture: simulated native abort/);
    expect(ofType(out.messages, 'single-stream')).toHaveLength(1);
    expect(ofType(out.messages, 'offline').map((m) => m.point.batch)).toEqual([1]);
  });

  it('kills a child that hangs, after the timeout', async () => {
    const out = await runChildProcess(task(runnerFile('../../test/fixtures/runners/hang.ts')), { timeoutMs: 10_000 });
    expect(out.signal).toBe('SIGKILL');
    expect(out.failure).toMatch(/timed out after 10 s during cold-start \(first inference\)/);
  });

  it('skips a batch size whose call would exceed the per-call limit, without running it, and says why', async () => {
    const plan: ChildPlan = {
      ...PLAN,
      scenarios: ['cold-start', 'single-stream', 'offline'],
      offline: { batches: [1, 2, 8], timeMs: 10, minIterations: 2, maxCallMs: 150 },
    };
    const out = await runChildProcess(
      task(runnerFile('../../test/fixtures/runners/slow.ts'), { msPerImage: 40 }, plan),
      { timeoutMs: 60_000 },
    );
    const points = ofType(out.messages, 'offline').map((m) => m.point);
    expect(points.map((p) => [p.batch, 'skipped' in p])).toEqual([
      [1, false],
      [2, false],
      [8, true],
    ]);
    const skipped = points[2] as { skipped: string; warmupMs?: number };
    expect(skipped.skipped).toMatch(
      /one call would take about 0\.3\d? s \(estimated from .*\), over this profile's 0\.15 s limit per call/,
    );
    expect(skipped.warmupMs).toBeUndefined(); // it never ran
  });

  it('reports a runner file without createRunner as an init error', async () => {
    const out = await runChildProcess(task(runnerFile('./protocol.ts')), { timeoutMs: 60_000 });
    expect(ofType(out.messages, 'error')[0].message).toMatch(/does not export createRunner/);
  });
});
