// Inside workerd: the real Worker entry (src/worker.ts via wrangler.toml), its precompiled wasm-SIMD module and
// bundled int8 weights (224 px model), called through `exports.default.fetch` in the same isolate, so tfjs's state is visible.
import { exports } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, parameterCount, wasmHeapBytes } from '@nin-bench/core-nin';
import type { ErrorBody } from './app.ts';
import { EDGE_LIMITS } from './limits.ts';
import {
  badRequests,
  pngRgbLarge,
  requestFor,
  singleImageBodies,
  syntheticImage,
  toBase64,
  asBodyInit,
  type Body,
} from '../test/requests.ts';

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

interface PredictionBody {
  index: number;
  label: string;
  probabilities: number[];
  logits: number[];
  top: { index: number; label: string; probability: number }[];
  timing: { preprocessMs: number; inferenceMs: number };
  backend: string;
}

describe('the Worker inside workerd', () => {
  beforeAll(async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it('serves on tfjs-backend-wasm with the SIMD binary', async () => {
    const body = (await (await get('/health')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ready',
      backend: 'wasm:simd',
      simd: true,
      weightPrecision: 'int8',
      backendDetails: { binary: 'tfjs-backend-wasm-simd.wasm', threads: 1 },
    });
    expect(body.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('describes the model', async () => {
    const model = (await (await get('/model')).json()) as Record<string, unknown>;
    expect(model).toMatchObject({
      parameterCount: parameterCount(),
      inputSize: 224,
      weightPrecision: 'int8',
      classes: [...FASHION_MNIST_CLASSES],
      limits: EDGE_LIMITS,
    });
    expect(model.testAccuracy).toBeGreaterThan(0.8);
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
    expect(first.backend).toBe('wasm:simd');
    expect(first.top).toHaveLength(10);
    expect(first.top[0]).toMatchObject({ index: first.index, label: FASHION_MNIST_CLASSES[first.index] });
    expect(first.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(first.logits).toHaveLength(10);
    expect(first.logits.indexOf(Math.max(...first.logits))).toBe(first.index);
    expect(first.timing.inferenceMs).toBeGreaterThanOrEqual(0);
    for (const a of answers) expect(a.probabilities).toEqual(first.probabilities);

    const batch = await predict(
      'application/json',
      JSON.stringify({
        images: [
          Array.from(syntheticImage(2)),
          { png: toBase64(singleImageBodies(img)['image/png gray 8-bit'].body as Uint8Array) },
        ],
      }),
    );
    expect(batch.status).toBe(200);
    const { predictions } = (await batch.json()) as { predictions: PredictionBody[] };
    expect(predictions).toHaveLength(2);
    predictions[1].probabilities.forEach((p, i) => expect(p).toBeCloseTo(first.probabilities[i], 5));
    expect((await predict('image/png', pngRgbLarge(img))).status).toBe(200);
  });

  it('answers every bad request with its 4xx JSON error and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    for (const c of badRequests().filter((row) => !row.streamed)) {
      const res = await call(requestFor(BASE, c));
      const text = await res.text();
      expect(res.status, `${c.name}: ${text}`).toBe(c.status);
      const body = JSON.parse(text) as ErrorBody;
      expect(body.error, c.name).toMatchObject({ status: c.status, code: c.code });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps tensors, tensor bytes and the wasm heap flat over 500 sequential requests', async () => {
    const bodies = Object.values(singleImageBodies(syntheticImage(7)));
    const send = async (i: number) => {
      const { type, body } = bodies[i % bodies.length];
      const res = await predict(type, body);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    };
    for (let i = 0; i < 20; i++) await send(i); // warm-up: the heap reaches its working size
    const before = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: wasmHeapBytes() };
    for (let i = 0; i < 500; i++) await send(i);
    const after = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap: wasmHeapBytes() };
    expect(after).toEqual(before);
  });

  it('runs a batch of 16 one image at a time: the wasm heap stays at its single-image size, well under the 128 MB isolate cap', async () => {
    const image = syntheticImage(3);
    for (let i = 0; i < 3; i++) expect((await predict('application/octet-stream', image)).status).toBe(200);
    const single = wasmHeapBytes()!;
    const health = (await (await get('/health')).json()) as { wasmHeapBytes: number };
    expect(health.wasmHeapBytes).toBe(single);
    const res = await predict(
      'application/json',
      JSON.stringify({ images: Array.from({ length: EDGE_LIMITS.maxBatch }, (_, i) => Array.from(syntheticImage(i))) }),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { predictions: unknown[] }).predictions).toHaveLength(EDGE_LIMITS.maxBatch);
    expect(wasmHeapBytes()).toBe(single);
    // The 224 px model at batch 1: weights (float32 once dequantised) and one image's activations.
    expect(single).toBeLessThan(96 * 2 ** 20);
  });
});
