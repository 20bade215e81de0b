import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessImages } from '@nin-bench/core-nin';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { writeTinyModel } from '../../test/fixtures/tiny-model.ts';
import { INT8_MODEL } from './onnx-session.ts';
import { createRunner as createNodeRunner } from './onnxruntime-node.ts';
import { createRunner as createWebRunner } from './onnxruntime-web.ts';
import type { Batch, CreateRunner, RunnerTask } from './runner.ts';

let model: Awaited<ReturnType<typeof writeTinyModel>>;
let batch: Batch;

beforeAll(async () => {
  model = await writeTinyModel();
  const test = await loadFashionMnist('test', { download: false });
  const images = test.images.subarray(0, 3 * 784);
  batch = { n: 3, images, input: preprocessImages(images, model.size) };
});
afterAll(async () => {
  await rm(model.dir, { recursive: true, force: true });
});

const task = (options: RunnerTask['options']): RunnerTask => ({
  size: model.size,
  weightsPath: model.weightsPath,
  model: 'onnx',
  modelPath: model.onnxPath,
  options,
});

async function logitsOf(createRunner: CreateRunner, options: RunnerTask['options']) {
  const runner = createRunner(task(options));
  const facts = await runner.init();
  const loaded = await runner.load();
  const out = await loaded.infer(batch);
  return { facts, logits: Array.from(out instanceof Float32Array ? out : out.logits) };
}

describe.each([
  { engine: 'onnxruntime-node', createRunner: createNodeRunner, threads: { intraOpThreads: 1 } },
  { engine: 'onnxruntime-web', createRunner: createWebRunner, threads: { threads: 1 } },
])('$engine runner', ({ engine, createRunner, threads }) => {
  it('runs the ONNX export on one thread, names its engine and threads, and no int8 model', async () => {
    const { facts, logits } = await logitsOf(createRunner, { threads: 1 });
    expect(facts.engine).toBe(engine);
    expect(facts.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(facts.details).toMatchObject(threads);
    expect(facts.details.model).toBeUndefined();
    expect(logits).toHaveLength(3 * 10);
    expect(Math.max(...logits.map(Math.abs))).toBeGreaterThan(0.01); // real logits: the comparison below means something
  });

  it('gives the logits of the other onnxruntime engine on the same images', async () => {
    const own = await logitsOf(createRunner, { threads: 1 });
    const other = await logitsOf(createRunner === createNodeRunner ? createWebRunner : createNodeRunner, {
      threads: 1,
    });
    own.logits.forEach((v, i) => expect(Math.abs(v - other.logits[i])).toBeLessThan(1e-4));
  });

  it("names the int8 model among an int8 row's facts", async () => {
    const facts = await createRunner({ ...task({ threads: 1 }), model: 'onnx-int8' }).init();
    expect(facts.details.model).toBe(INT8_MODEL);
  });
});
