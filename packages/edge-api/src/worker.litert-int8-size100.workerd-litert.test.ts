// Inside workerd: the default build, the LiteRT.js engine's Worker entry at 100 px (src/worker.litert-int8-size100.ts
// via wrangler.toml's top level), with LiteRT's relaxed-SIMD wasm as the module workerd compiled, its glue as the
// ES-module copy, and the int8 .tflite model bundled, called through `exports.default.fetch` in the same isolate.
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
import { parameterCount } from '@nin-bench/core-nin/model/architecture';
import { sha256Hex } from '@nin-bench/core-nin/weights';
import type { ErrorBody } from './app.ts';
import { EDGE_LIMITS } from './limits.ts';
import { bundled } from './worker.litert-int8-size100.ts';
import { createLiteRtEdgeWorker } from './worker-entry-litert.ts';
import { badRequests, requestFor, singleImageBodies, syntheticImage, asBodyInit, type Body } from '../test/requests.ts';

const BASE = 'http://edge';
const call = (request: Request) => exports.default.fetch(request);
const get = (path: string) => call(new Request(BASE + path));
const predict = (type: string, body: Body, query = '') =>
  call(
    new Request(`${BASE}/predict${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: asBodyInit(body),
    }),
  );
const heap = async () => ((await (await get('/health')).json()) as { wasmHeapBytes: number }).wasmHeapBytes;

interface PredictionBody {
  index: number;
  probabilities: number[];
  logits: number[];
  top: { index: number; label: string; probability: number }[];
  backend: string;
}

describe('the LiteRT.js int8 Worker (100 px) inside workerd', () => {
  beforeAll(async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it("serves on LiteRT.js's relaxed-SIMD build (pinned: LiteRT's own check would pick compat here), one thread", async () => {
    const body = (await (await get('/health')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ready',
      engine: 'litert-int8',
      backend: 'litert:relaxed',
      simd: true,
      weightPrecision: 'int8',
      backendDetails: { build: 'relaxed', threads: 1 },
    });
    expect(body.modelSha256).toBe(await sha256Hex(new Uint8Array(bundled.model)));
    const model = (await (await get('/model')).json()) as Record<string, unknown>;
    expect(model).toMatchObject({
      engine: {
        name: 'litert-int8',
        modelFormat: 'tflite',
        runtime: expect.stringMatching(
          /^LiteRT\.js \d+\.\d+\.\d+ wasm \(XNNPACK, relaxed SIMD, relaxed build, 1 thread\)$/,
        ),
      },
      parameterCount: parameterCount(),
      inputSize: 100,
      weightPrecision: 'int8',
      classes: [...FASHION_MNIST_CLASSES],
      limits: EDGE_LIMITS,
    });
  });

  it('gives the same answer for the same image in every encoding, and for it inside a batch', async () => {
    const img = syntheticImage(5);
    const answers: PredictionBody[] = [];
    for (const [name, { type, body }] of Object.entries(singleImageBodies(img))) {
      const res = await predict(type, body, '?topk=10');
      expect(res.status, name).toBe(200);
      answers.push((await res.json()) as PredictionBody);
    }
    const [first] = answers;
    expect(first.backend).toBe('litert:relaxed');
    expect(first.top).toHaveLength(10);
    expect(first.logits.indexOf(Math.max(...first.logits))).toBe(first.index);
    expect(first.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const a of answers) expect(a.probabilities).toEqual(first.probabilities);
    const batch = await predict(
      'application/json',
      JSON.stringify({ images: [Array.from(syntheticImage(2)), Array.from(img)] }),
    );
    expect(batch.status).toBe(200);
    const { predictions } = (await batch.json()) as { predictions: PredictionBody[] };
    expect(predictions[1].logits).toEqual(first.logits);
  });

  it('answers every bad request with its 4xx JSON error', async () => {
    for (const c of badRequests().filter((row) => !row.streamed)) {
      const res = await call(requestFor(BASE, c));
      const text = await res.text();
      expect(res.status, `${c.name}: ${text}`).toBe(c.status);
      expect((JSON.parse(text) as ErrorBody).error, c.name).toMatchObject({ status: c.status, code: c.code });
    }
  });

  it('keeps the wasm memory flat over 100 sequential requests and a batch of 16', async () => {
    const bodies = Object.values(singleImageBodies(syntheticImage(7)));
    const send = async (i: number) => {
      const { type, body } = bodies[i % bodies.length];
      const res = await predict(type, body);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    };
    for (let i = 0; i < 20; i++) await send(i);
    const before = await heap();
    for (let i = 0; i < 100; i++) await send(i);
    expect(await heap()).toBe(before);
    const res = await predict(
      'application/json',
      JSON.stringify({ images: Array.from({ length: EDGE_LIMITS.maxBatch }, (_, i) => Array.from(syntheticImage(i))) }),
    );
    expect(res.status).toBe(200);
    expect(await heap()).toBe(before);
    expect(before).toBeLessThan(96 * 2 ** 20);
  });

  it('a fresh Worker loads on its first request, once for 8 concurrent ones, and refuses another engine or size', async () => {
    const worker = createLiteRtEdgeWorker(bundled);
    const env = { EDGE_ENGINE: 'litert-int8', INPUT_SIZE: '100' };
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        worker.fetch(
          new Request('http://edge/predict', {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            body: new Uint8Array(784).fill(i * 30),
          }),
          env,
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const [vars, message] of [
      [{ EDGE_ENGINE: 'onnxruntime-int8' }, /EDGE_ENGINE is onnxruntime-int8 but this Worker entry runs litert-int8/],
      [{ INPUT_SIZE: '224' }, /INPUT_SIZE is 224 but the bundled \.tflite model is for 100 px/],
      [{ WEIGHT_PRECISION: 'float32' }, /WEIGHT_PRECISION is float32 but the litert-int8 engine serves the int8 model/],
    ] as const) {
      const res = await createLiteRtEdgeWorker(bundled).fetch(new Request('http://edge/health'), vars);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'failed',
        error: { code: 'not_ready', message: expect.stringMatching(message) },
      });
    }
  });
});
