import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, resizeGray } from '@nin-bench/core-nin';
import { nodeImageDecoderWasm } from '@nin-bench/core-nin/node';
import { stubClassifier } from '../test/stub-classifier.ts';
import { createApp, type ErrorBody } from './app.ts';
import type { EdgeClassifier } from './classifier.ts';
import { EDGE_ENGINES } from './engine.ts';
import { lazyClassifier, readyClassifier } from './lazy.ts';
import { engineBuild, loadEdgeClassifierForBuild } from './node/engines.ts';
import { EDGE_LIMITS } from './limits.ts';
import { PAGE_HTML } from './page.ts';
import {
  badRequests,
  endlessBody,
  pngRgbLarge,
  requestFor,
  singleImageBodies,
  syntheticImage,
  asBodyInit,
  type Body,
} from '../test/requests.ts';

/** the request log goes nowhere in these tests (request-log.test.ts tests it) */
const silent = () => {};

const post = (app: ReturnType<typeof createApp>, type: string, body: Body, path = '/predict') =>
  app.request(path, { method: 'POST', headers: { 'content-type': type }, body: asBodyInit(body) });

describe('edge app (runtime-agnostic)', () => {
  it('answers every single-image encoding of the same 28x28 image with the same prediction', async () => {
    const stub = stubClassifier();
    const app = createApp({ log: silent, classifier: readyClassifier(stub) });
    const img = syntheticImage();
    const answers = [];
    for (const [name, { type, body }] of Object.entries(singleImageBodies(img))) {
      const res = await post(app, type, body);
      expect(res.status, name).toBe(200);
      answers.push(await res.json());
    }
    for (const call of stub.calls) expect(call).toEqual(img);
    const first = answers[0] as {
      index: number;
      label: string;
      probabilities: number[];
      top: unknown[];
      timing: object;
      backend: string;
    };
    expect(first.top).toHaveLength(EDGE_LIMITS.defaultTopK);
    expect(first.label).toBe(FASHION_MNIST_CLASSES[first.index]);
    expect(first.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(first).toMatchObject({
      timing: { decodeMs: expect.any(Number), preprocessMs: expect.any(Number), inferenceMs: 2 },
      backend: 'stub:x',
      // a data-set tile (dark border): resized, not converted as a photo
      fit: 'tile',
    });
    for (const a of answers) expect((a as typeof first).probabilities).toEqual(first.probabilities);
  });

  it('converts a large colour PNG to 28x28 gray before classifying', async () => {
    const stub = stubClassifier();
    const app = createApp({ log: silent, classifier: readyClassifier(stub) });
    const img = syntheticImage();
    expect((await post(app, 'image/png', pngRgbLarge(img))).status).toBe(200);
    // r = g = b, so the gray image is the 4x enlargement itself; PIL-style bilinear brings it back to 28x28.
    const gray112 = Uint8Array.from(
      { length: 112 * 112 },
      (_, p) => img[Math.floor(p / 112 / 4) * 28 + Math.floor((p % 112) / 4)],
    );
    expect(stub.calls[0]).toEqual(resizeGray(gray112, 112, 112, 28, 28));
    // and it is close to the original (blurred only at edges)
    const meanError = stub.calls[0].reduce((s, v, i) => s + Math.abs(v - img[i]), 0) / 784;
    expect(meanError).toBeLessThan(12);
  });

  it('classifies a batch in one call and answers a list', async () => {
    const stub = stubClassifier();
    const app = createApp({ log: silent, classifier: readyClassifier(stub) });
    const a = syntheticImage(1);
    const b = syntheticImage(2);
    const res = await post(
      app,
      'application/json',
      JSON.stringify({
        images: [
          Array.from(a),
          { pixels: Array.from(b) },
          { png: btoa(String.fromCharCode(...(singleImageBodies(a)['image/png RGB'].body as Uint8Array))) },
        ],
      }),
      '/predict?topk=5',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: { top: unknown[]; probabilities: number[] }[] };
    expect(body.predictions).toHaveLength(3);
    expect(body.predictions[0].top).toHaveLength(5);
    expect(body.predictions[2].probabilities).toEqual(body.predictions[0].probabilities);
    expect(stub.calls).toHaveLength(1);
    expect(stub.calls[0]).toHaveLength(3 * 784);
  });

  it('reports the model and the backend', async () => {
    const app = createApp({ log: silent, classifier: readyClassifier(stubClassifier()) });
    const health = await (await app.request('/health')).json();
    expect(health).toMatchObject({
      status: 'ready',
      engine: 'tfjs',
      backend: 'stub:x',
      simd: false,
      modelSha256: 'ab'.repeat(32),
      weightPrecision: 'int8',
      wasmHeapBytes: 42 * 2 ** 20,
    });
    const model = await (await app.request('/model')).json();
    expect(model).toMatchObject({
      engine: { name: 'tfjs', runtime: 'stub' },
      parameterCount: 1,
      inputSize: 96,
      weightPrecision: 'int8',
      testAccuracy: 0.9,
      classes: [...FASHION_MNIST_CLASSES],
    });
    expect(model.limits).toEqual(EDGE_LIMITS);
  });

  it('answers GET / with the page to a browser and with the same JSON as before to API clients', async () => {
    const stub = stubClassifier();
    const app = createApp({ log: silent, classifier: readyClassifier(stub) });
    const chromium =
      'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
    for (const accept of [chromium, 'text/html', 'text/*', 'application/json;q=0.5, text/html']) {
      const res = await app.request('/', { headers: { accept } });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-type'), accept).toMatch(/^text\/html; ?charset=utf-8/i);
      expect(res.headers.get('vary')).toBe('Accept');
      // it may call its own origin and nothing else
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<input id="file" type="file" accept="image/png,image/jpeg,image/webp');
      expect(html).toContain('<input id="camera" type="file" accept="image/*" capture="environment">');
      expect(html).toContain('<canvas id="pad" width="28" height="28"');
      for (const route of ["fetch('/model')", "fetch('/health')", "fetch('/predict?topk=5&explain=1&fit='"])
        expect(html).toContain(route);
      // nothing from elsewhere: no absolute URL in a src, href or fetch
      expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
      expect(html).not.toMatch(/fetch\(['"]https?:/);
    }
    const json = await (await app.request('/', { headers: { accept: 'application/json' } })).json();
    expect(json).toMatchObject({
      name: 'nin-bench edge: Fashion-MNIST NiN classifier',
      accepts: ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream', 'application/json'],
      limits: EDGE_LIMITS,
    });
    expect(Object.keys(json.routes)).toEqual(['GET /health', 'GET /model', 'POST /predict']);
    expect(Object.keys(json.fit)).toEqual(['auto', 'photo', 'tile']);
    // curl and fetch send */*; none at all; an explicit JSON client; one that prefers JSON over HTML
    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0.5, application/json', 'image/png']) {
      const res = await app.request('/', { headers: accept === undefined ? {} : { accept } });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-type'), accept).toMatch(/^application\/json/);
      expect(res.headers.get('vary')).toBe('Accept');
      expect(await res.json(), accept).toEqual(json);
    }
    const head = await app.request('/', { method: 'HEAD', headers: { accept: 'text/html' } });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([
      200,
      'text/html; charset=UTF-8',
      '',
    ]);
    // the page costs the model nothing
    expect(stub.calls).toHaveLength(0);
  });

  it('keeps the page small', () => {
    expect(new TextEncoder().encode(PAGE_HTML).length).toBeLessThan(12 * 1024);
  });

  // The hostile-input table against the stub and against both real engines (tfjs wasm SIMD and onnxruntime-web
  // int8, loaded from the files their Worker builds bundle): every bad request is refused before the model.
  describe.each(['stub', ...EDGE_ENGINES] as const)(
    'bad requests on the %s engine: a JSON error with the right status, and the model is never called',
    (engine) => {
      const calls: number[] = [];
      let app: ReturnType<typeof createApp>;
      beforeAll(async () => {
        const real = engine === 'stub' ? stubClassifier() : await loadEdgeClassifierForBuild(engineBuild(engine));
        const counted: EdgeClassifier = {
          ...real,
          classify: (images, count, topK) => (calls.push(count), real.classify(images, count, topK)),
        };
        app = createApp({
          log: silent,
          classifier: readyClassifier(counted),
          decoderWasm: await nodeImageDecoderWasm(),
        });
      });
      it.each(badRequests())('$name -> $status $code', async (c) => {
        const res = await app.fetch(requestFor('http://edge', c));
        expect(res.status).toBe(c.status);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await res.json()) as ErrorBody;
        expect(body.error).toMatchObject({ status: c.status, code: c.code });
        expect(body.error.message.length).toBeGreaterThan(5);
        if (c.status === 405) expect(res.headers.get('allow')).toBeTruthy();
        expect(calls).toHaveLength(0);
      });
      it('and then still answers a good request', async () => {
        const res = await post(app, 'application/octet-stream', syntheticImage(4));
        expect(res.status).toBe(200);
        expect(((await res.json()) as { probabilities: number[] }).probabilities).toHaveLength(10);
        expect(calls).toEqual([1]);
        if (engine !== 'stub')
          expect((await (await app.request('/health')).json()) as object).toMatchObject({ status: 'ready', engine });
      });
    },
  );

  it('lets web pages call it (CORS) and answers HEAD like GET', async () => {
    const app = createApp({ log: silent, classifier: readyClassifier(stubClassifier()) });
    const preflight = await app.request('/predict', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const res = await post(app, 'application/octet-stream', new Uint8Array(784));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await app.request('/health', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/health', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses an over-long body by its Content-Length without reading it', async () => {
    const app = createApp({
      log: silent,
      classifier: readyClassifier(stubClassifier()),
      limits: { maxBodyBytes: 1000 },
    });
    const counter = { bytes: 0 };
    const res = await app.fetch(
      new Request('http://edge/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': '5000000' },
        body: endlessBody(counter),
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(counter.bytes).toBeLessThanOrEqual(65536); // at most what the stream pre-filled
  });

  it('stops reading a streamed body as soon as it passes the limit', async () => {
    const app = createApp({
      log: silent,
      classifier: readyClassifier(stubClassifier()),
      limits: { maxBodyBytes: 200_000 },
    });
    const counter = { bytes: 0 };
    const res = await app.fetch(
      new Request('http://edge/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: endlessBody(counter),
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(counter.bytes).toBeLessThan(200_000 + 3 * 65536);
  });

  it('says 503 while the model cannot load, and recovers when it can', async () => {
    let fail = true;
    const app = createApp({
      classifier: lazyClassifier(async () => {
        if (fail) throw new Error('weights are corrupt');
        return stubClassifier();
      }),
    });
    const health = await app.request('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'failed',
      error: { code: 'not_ready', message: 'weights are corrupt' },
    });
    const predict = await post(app, 'application/octet-stream', new Uint8Array(784));
    expect(predict.status).toBe(503);
    // bad input is still answered as bad input, without the model
    expect((await post(app, 'application/octet-stream', new Uint8Array(3))).status).toBe(400);
    fail = false;
    expect((await post(app, 'application/octet-stream', new Uint8Array(784))).status).toBe(200);
  });

  it('answers 500 with a JSON error (not a stack) when the classifier itself throws', async () => {
    const stub = stubClassifier();
    stub.classify = async () => {
      throw new Error('kaboom');
    };
    const app = createApp({ log: silent, classifier: readyClassifier(stub) });
    const original = console.error;
    console.error = () => {};
    try {
      const res = await post(app, 'application/octet-stream', new Uint8Array(784));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { status: 500, code: 'internal', message: 'internal error' } });
    } finally {
      console.error = original;
    }
  });
});
