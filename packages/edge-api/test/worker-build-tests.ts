// The tests every Worker build must pass inside workerd, whatever its engine: what /health and /model say, the same
// answer for an image in every encoding and inside a batch, a 4xx JSON error for every bad request, memory that stays
// flat under load and a batch of 16 within the heap budget. Each @cloudflare/vitest-plugin project (one per build,
// since a pool runs one Worker entry) calls workerBuildTests with its build's facts.
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
import { parameterCount } from '@nin-bench/core-nin/model/architecture';
import { sha256Hex } from '@nin-bench/core-nin/weights';
import type { ErrorBody } from '../src/app.ts';
import { EDGE_LIMITS } from '../src/limits.ts';
import { badRequests, requestFor } from './bad-requests.ts';
import { freshWorkerTests, type FreshWorkerFacts } from './fresh-worker-tests.ts';
import { pngRgbLarge, singleImageBodies, syntheticImage, toBase64 } from './request-bodies.ts';
import {
  BASE,
  call,
  get,
  getJson,
  heapOnHealth,
  predict,
  predictBatchOf,
  type PredictionBody,
} from './workerd-client.ts';

export interface WorkerBuildFacts {
  /** what the title of the first test says it serves on, e.g. "onnxruntime-web wasm (SIMD, one thread)" */
  readonly servesOn: string;
  /** the engine as /model describes it; `runtime` is matched as a pattern */
  readonly engine: { readonly name: string; readonly modelFormat: string; readonly runtime: RegExp };
  /** /health's `backend`, e.g. `wasm:simd` (each prediction names it too) */
  readonly backend: string;
  /** the part of /health's `backendDetails` the build fixes (binary or build, threads) */
  readonly backendDetails: Record<string, unknown>;
  readonly inputSize: number;
  readonly weightPrecision: string;
  /** the model (or weights) file the entry bundles, whose sha-256 /health must report */
  readonly bundledModel: ArrayBuffer;
  /** the least test accuracy the model records (`nin eval --record`); without it, none is asked for */
  readonly minTestAccuracy?: number;
  /** a batch gives an image exactly the logits of its single request (else: the same probabilities to 5 places) */
  readonly batchLogitsExact: boolean;
  /** the sequential requests the memory test sends after its warm-up */
  readonly sequentialRequests: number;
  /** the wasm heap's budget at batch 1, well under the isolate's 128 MB cap */
  readonly maxHeapBytes: number;
  /** the engine's own memory in this isolate, which must not grow (tfjs: its tensors): what it is, and a reading */
  readonly isolateMemory?: { readonly what: string; readonly read: () => Record<string, number> };
  /** the wasm heap as this isolate reads it, which must be what /health reports */
  readonly heapInIsolate?: () => number | null;
  /** how to make a fresh Worker of the build, whose tests then run last, in a nested `describe` */
  readonly freshWorker?: FreshWorkerFacts;
}

/** Registers, in the `describe` it is called in, the tests every build must pass (the Worker is `exports.default`). */
export function workerBuildTests(facts: WorkerBuildFacts): void {
  beforeAll(async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it(`serves on ${facts.servesOn} and names the engine and the bundled model`, async () => {
    const health = await getJson('/health');
    expect(health).toMatchObject({
      status: 'ready',
      engine: facts.engine.name,
      backend: facts.backend,
      simd: true,
      weightPrecision: facts.weightPrecision,
      backendDetails: facts.backendDetails,
    });
    expect(health.modelSha256).toBe(await sha256Hex(new Uint8Array(facts.bundledModel)));
  });

  it('describes its engine and model on /model', async () => {
    const model = await getJson('/model');
    expect(model).toMatchObject({
      engine: { ...facts.engine, runtime: expect.stringMatching(facts.engine.runtime) },
      parameterCount: parameterCount(),
      inputSize: facts.inputSize,
      weightPrecision: facts.weightPrecision,
      classes: [...FASHION_MNIST_CLASSES],
      limits: EDGE_LIMITS,
    });
    if (facts.minTestAccuracy !== undefined) expect(model.testAccuracy).toBeGreaterThan(facts.minTestAccuracy);
  });

  it('gives the same answer for the same image in every encoding, and for it inside a batch', async () => {
    const img = syntheticImage(5);
    const bodies = singleImageBodies(img);
    const answers: PredictionBody[] = [];
    for (const [name, { type, body }] of Object.entries(bodies)) {
      const res = await predict(type, body, '?topk=10');
      expect(res.status, name).toBe(200);
      answers.push((await res.json()) as PredictionBody);
    }
    const [first] = answers;
    expect(first.backend).toBe(facts.backend);
    expect(first.top).toHaveLength(10);
    expect(first.top[0]).toMatchObject({ index: first.index, label: FASHION_MNIST_CLASSES[first.index] });
    expect(first.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(first.logits).toHaveLength(10);
    expect(first.logits.indexOf(Math.max(...first.logits))).toBe(first.index);
    expect(first.timing.inferenceMs).toBeGreaterThanOrEqual(0);
    for (const a of answers) expect(a.probabilities).toEqual(first.probabilities);

    // the image as pixels and as a PNG, behind another one
    const png = toBase64(bodies['image/png gray 8-bit'].body as Uint8Array);
    const images = [Array.from(syntheticImage(2)), Array.from(img), { png }];
    const batch = await predict('application/json', JSON.stringify({ images }));
    expect(batch.status).toBe(200);
    const { predictions } = (await batch.json()) as { predictions: PredictionBody[] };
    expect(predictions).toHaveLength(3);
    for (const p of predictions.slice(1)) {
      p.probabilities.forEach((q, i) => expect(q).toBeCloseTo(first.probabilities[i], 5));
      if (facts.batchLogitsExact) expect(p.logits).toEqual(first.logits);
    }
    expect((await predict('image/png', pngRgbLarge(img))).status).toBe(200);
  });

  const leavesNothing = facts.isolateMemory ? ` and leaves no ${facts.isolateMemory.what} behind` : '';
  it(`answers every bad request with its 4xx JSON error${leavesNothing}`, async () => {
    const before = facts.isolateMemory?.read();
    for (const c of badRequests().filter((row) => !row.streamed)) {
      const res = await call(requestFor(BASE, c));
      const text = await res.text();
      expect(res.status, `${c.name}: ${text}`).toBe(c.status);
      expect((JSON.parse(text) as ErrorBody).error, c.name).toMatchObject({ status: c.status, code: c.code });
    }
    if (facts.isolateMemory) expect(facts.isolateMemory.read()).toEqual(before);
  });

  const memory = facts.isolateMemory ? `${facts.isolateMemory.what} and the wasm heap` : 'the wasm heap';
  it(`keeps ${memory} flat over ${facts.sequentialRequests} sequential requests`, async () => {
    const bodies = Object.values(singleImageBodies(syntheticImage(7)));
    const send = async (i: number) => {
      const { type, body } = bodies[i % bodies.length];
      const res = await predict(type, body);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    };
    const reading = async () => ({
      heap: await heapOnHealth(),
      heapInIsolate: facts.heapInIsolate?.(),
      ...facts.isolateMemory?.read(),
    });
    for (let i = 0; i < 20; i++) await send(i); // warm-up: the heap reaches its working size
    const before = await reading();
    for (let i = 0; i < facts.sequentialRequests; i++) await send(i);
    expect(await reading()).toEqual(before);
  });

  it('answers a batch of 16 with the wasm heap at its single-image size, well under the 128 MB isolate cap', async () => {
    const image = syntheticImage(3);
    for (let i = 0; i < 3; i++) expect((await predict('application/octet-stream', image)).status).toBe(200);
    const single = await heapOnHealth();
    if (facts.heapInIsolate) expect(facts.heapInIsolate()).toBe(single);
    const res = await predictBatchOf(EDGE_LIMITS.maxBatch, syntheticImage);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { predictions: unknown[] }).predictions).toHaveLength(EDGE_LIMITS.maxBatch);
    expect(await heapOnHealth()).toBe(single);
    if (facts.heapInIsolate) expect(facts.heapInIsolate()).toBe(single);
    expect(single).toBeLessThan(facts.maxHeapBytes);
  });

  if (facts.freshWorker) {
    const fresh = facts.freshWorker;
    describe('a fresh instance', () => freshWorkerTests(fresh));
  }
}
