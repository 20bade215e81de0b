// Inside workerd: the int8 engine's Worker entry (src/worker.onnx-int8.ts via wrangler.toml's `onnx-int8` env), with
// onnxruntime-web's wasm as the module workerd compiled and the int8 ONNX model bundled, called through
// `exports.default.fetch` in the same isolate.
import { exports } from 'cloudflare:workers';
import * as ort from 'onnxruntime-web/wasm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
import { parameterCount } from '@nin-bench/core-nin/model';
import { sha256Hex } from '@nin-bench/core-nin/weights';
import type { ErrorBody } from './app.ts';
import { EDGE_LIMITS } from './limits.ts';
import { bundled } from './worker.onnx-int8.ts';
import { createOnnxEdgeWorker } from './worker-entry-onnx.ts';
import {
  badRequests,
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
const heap = async () => ((await (await get('/health')).json()) as { wasmHeapBytes: number }).wasmHeapBytes;

interface PredictionBody {
  index: number;
  label: string;
  probabilities: number[];
  logits: number[];
  top: { index: number; label: string; probability: number }[];
  backend: string;
}

describe('the int8 Worker inside workerd', () => {
  beforeAll(async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it('serves on onnxruntime-web wasm (SIMD, one thread) and names the engine and the bundled model', async () => {
    const body = (await (await get('/health')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ready',
      engine: 'onnxruntime-int8',
      backend: 'onnxruntime-web:wasm',
      simd: true,
      weightPrecision: 'int8',
      backendDetails: { threads: 1 },
    });
    expect(body.modelSha256).toBe(await sha256Hex(new Uint8Array(bundled.model)));
    const model = (await (await get('/model')).json()) as Record<string, unknown>;
    expect(model).toMatchObject({
      engine: {
        name: 'onnxruntime-int8',
        modelFormat: 'onnx',
        runtime: expect.stringMatching(/^onnxruntime-web 1\.\d+\.\d+ wasm \(SIMD, 1 thread\)$/),
      },
      parameterCount: parameterCount(),
      inputSize: 224,
      weightPrecision: 'int8',
      classes: [...FASHION_MNIST_CLASSES],
      limits: EDGE_LIMITS,
    });
    // the accuracy `nin eval --onnx --record` wrote into the model
    expect(model.testAccuracy).toBeGreaterThan(0.85);
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
    expect(first.backend).toBe('onnxruntime-web:wasm');
    expect(first.top).toHaveLength(10);
    expect(first.logits.indexOf(Math.max(...first.logits))).toBe(first.index);
    expect(first.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
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
    for (let i = 0; i < 20; i++) await send(i); // warm-up: the memory reaches its working size
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
    const create = vi.spyOn(ort.InferenceSession, 'create');
    const worker = createOnnxEdgeWorker(bundled);
    expect(create).not.toHaveBeenCalled();
    const env = { EDGE_ENGINE: 'onnxruntime-int8', INPUT_SIZE: '224' };
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
    expect(create).toHaveBeenCalledTimes(1);
    for (const [vars, message] of [
      [{ EDGE_ENGINE: 'tfjs' }, /EDGE_ENGINE is tfjs but this Worker entry runs onnxruntime-int8/],
      [{ INPUT_SIZE: '100' }, /INPUT_SIZE is 100 but the bundled ONNX model is for 224 px/],
    ] as const) {
      const res = await createOnnxEdgeWorker(bundled).fetch(new Request('http://edge/health'), vars);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'failed',
        error: { code: 'not_ready', message: expect.stringMatching(message) },
      });
    }
  });
});
