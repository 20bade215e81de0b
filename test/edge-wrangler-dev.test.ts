// End to end: the real `wrangler dev` (workerd, offline, no login) serving the bundled Worker, called over HTTP
// with real Fashion-MNIST test images (packages/edge-api/examples/), then stopped with everything it started.
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_LIMITS } from '@nin-bench/edge-api';
import { startWranglerDev, type WranglerDev } from '@nin-bench/edge-api/node';
import { examplePath, readEdgeSamples, type EdgeSample } from './edge-examples.ts';

/** The content type of an example image, by its file name. */
const typeOf = (file: string) => (file.endsWith('.jpg') ? 'image/jpeg' : 'image/png');

describe('wrangler dev serving the edge Worker', () => {
  let dev: WranglerDev;
  let samples: EdgeSample[];

  beforeAll(async () => {
    samples = await readEdgeSamples();
    dev = await startWranglerDev();
  });

  afterAll(async () => {
    await dev?.stop();
  });

  /** POST /predict with `body` as `type`, and `headers` besides. */
  const predict = (body: BodyInit, type: string, headers: Record<string, string> = {}) =>
    fetch(`${dev.url}/predict`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  /** POST /predict with the example image `file`. */
  const predictExample = async (file: string) => predict(await readFile(examplePath(file)), typeOf(file));

  it('serves the default build: the 100 px model in int8 on LiteRT.js (its relaxed-SIMD build)', async () => {
    expect(dev.health).toMatchObject({
      status: 'ready',
      engine: 'litert-int8',
      backend: 'litert:relaxed',
      simd: true,
      weightPrecision: 'int8',
    });
    expect(await (await fetch(`${dev.url}/model`)).json()).toMatchObject({
      inputSize: 100,
      weightPrecision: 'int8',
      engine: { name: 'litert-int8' },
    });
  });

  it('classifies real test images sent as PNG: each of the first 10 as its label', async () => {
    const firstTen = samples.filter((s) => s.file.endsWith('.png') && !s.file.includes('280x280')).slice(0, 10);
    expect(firstTen).toHaveLength(10);
    for (const s of firstTen) {
      const res = await predictExample(s.file);
      expect(res.status, s.file).toBe(200);
      const body = (await res.json()) as { index: number; label: string; probabilities: number[] };
      expect(body.probabilities).toHaveLength(10);
      // The 100 px int8 model (90.0% on the test set) gets every one of these right; a preprocessing slip would not.
      expect([body.index, body.label], s.file).toEqual([s.label, s.className]);
    }
  });

  it("classifies the enlarged RGB picture of a test image as that image's label", async () => {
    const big = samples.find((s) => s.file.includes('280x280'))!;
    const res = await predictExample(big.file);
    expect(((await res.json()) as { index: number }).index).toBe(big.label);
  });

  it("answers product photos in JPEG, a phone one with EXIF orientation 6 upright, by Fashion-MNIST's conversion", async () => {
    const photos = samples.filter((s) => s.file.endsWith('.jpg'));
    expect(photos.map((s) => s.file)).toContain('photo-0001-pullover-exif6.jpg');
    for (const s of photos) {
      const res = await predictExample(s.file);
      expect(res.status, s.file).toBe(200);
      const body = (await res.json()) as { label: string; fit: string; input: { format: string; orientation: number } };
      expect([body.label, body.fit, body.input.format], s.file).toEqual([s.className, 'photo', 'jpeg']);
      expect(body.input.orientation, s.file).toBe(s.file.includes('exif6') ? 6 : 1);
    }
  });

  it('refuses a body over the limit, by Content-Length and when streamed', async () => {
    // node:http for both: fetch reports a refused upload as a network error instead of handing over the 413 that
    // came back, and since Node 24 (undici 7) a fetch whose upload the server stops reading waits for ever.
    const byLength = await postZeros(`${dev.url}/predict`, EDGE_LIMITS.maxBodyBytes + 1, { chunked: false });
    expect(byLength.status).toBe(413);
    expect(JSON.parse(byLength.body)).toMatchObject({ error: { code: 'body_too_large' } });
    // Streamed (chunked, no Content-Length). One byte over the limit, so that the upload is complete when the
    // answer comes (that a longer one is cut short is tested under Node with a counting stream).
    const streamed = await postZeros(`${dev.url}/predict`, EDGE_LIMITS.maxBodyBytes + 1, { chunked: true });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'body_too_large' } });
    // and the server is still fine. Known, not yet understood: after a refused upload, wrangler dev sometimes holds
    // the next request until another one arrives (seen 7 times in 60 on Node 20 and 24, at every commit tried; a
    // second request is answered at once and frees the first). So a second /health goes out after 5 s, and the
    // first answer counts; the test still fails if the server answers neither.
    const health = (signal?: AbortSignal) =>
      fetch(`${dev.url}/health`, { signal: signal ?? AbortSignal.timeout(60_000) });
    const first = health();
    const nudged = new Promise<Response>((resolve, reject) =>
      setTimeout(() => health().then(resolve, reject), 5000).unref(),
    );
    expect((await Promise.race([first, nudged])).status).toBe(200);
  });

  it('answers errors as JSON over HTTP (404, 405, 415, 400)', async () => {
    const cases: [string, RequestInit, number][] = [
      ['/nope', {}, 404],
      ['/predict', {}, 405],
      ['/predict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
      ['/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pixels": [' }, 400],
    ];
    for (const [path, init, status] of cases) {
      const res = await fetch(dev.url + path, init);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: { status: number } }).error.status).toBe(status);
    }
  });

  it('logs one JSON line per request (route, status, ms, engine; no image bytes) and sends Server-Timing', async () => {
    const res = await predictExample('test-0002-trouser.png');
    expect(res.status).toBe(200);
    const timing = res.headers.get('server-timing') ?? '';
    for (const metric of ['decode', 'tile', 'preprocess', 'inference', 'total'])
      expect(timing, timing).toMatch(new RegExp(`(^|,\\s*)${metric};dur=\\d`));
    await new Promise((r) => setTimeout(r, 500)); // wrangler prints the Worker's console a moment later
    const lines = dev
      .log()
      .split('\n')
      .flatMap((l) =>
        l.includes('"event":"request"') ? [JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>] : [],
      );
    expect(lines).toContainEqual(
      expect.objectContaining({ route: '/predict', method: 'POST', status: 200, engine: 'litert-int8' }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ route: 'unmatched', status: 404, error: 'not_found' }));
    for (const line of lines)
      expect(Object.keys(line).sort()).toEqual(expect.arrayContaining(['ms', 'route', 'status']));
  });

  // Last: it spends this client's budget for the rest of the limiter's window.
  it("rate-limits POST /predict per client as wrangler.toml's [[ratelimits]] says: 429 with Retry-After", async () => {
    const tile = new Uint8Array(784);
    const post = (client?: string) =>
      predict(tile, 'application/octet-stream', client ? { 'cf-connecting-ip': client } : {});
    const statuses: number[] = [];
    let refused: Response | undefined;
    // wrangler dev's proxy sets CF-Connecting-IP to 127.0.0.1; the limiter's window is fixed, so within two windows'
    // worth of requests one must be refused
    for (let i = 0; i < 2 * EDGE_LIMITS.rateLimitRequests + 2 && !refused; i++) {
      const res = await post();
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(refused, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    // the window is fixed: a loop that crosses its boundary gets up to a window's budget on each side of it (CI, Node
    // 24 under load: the first 429 came as request 71), never more
    expect(statuses.indexOf(429)).toBeLessThanOrEqual(2 * EDGE_LIMITS.rateLimitRequests);
    expect(refused!.headers.get('retry-after')).toBe(String(EDGE_LIMITS.rateLimitPeriodSeconds));
    expect(await refused!.json()).toMatchObject({ error: { status: 429, code: 'rate_limited' } });
    // another client is served meanwhile, and so is /health
    expect((await post('203.0.113.7')).status).toBe(200);
    expect((await fetch(`${dev.url}/health`)).status).toBe(200);
  });
});

/**
 * POSTs `total` zero bytes, chunked or with a Content-Length; resolves with the answer (the server may answer
 * before the upload ends, and an error writing the rest after that answer is expected, not a failure).
 */
function postZeros(
  url: string,
  total: number,
  { chunked }: { chunked: boolean },
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const length = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) };
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...length }, timeout: timeoutMs },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => (answered ? undefined : reject(e)));
    let written = 0;
    const write = () => {
      while (written < total) {
        const chunk = Math.min(65536, total - written);
        written += chunk;
        if (!req.write(new Uint8Array(chunk))) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}
