// End to end: the real `wrangler dev` (workerd, offline, no login) serving the bundled Worker, called over HTTP
// with real Fashion-MNIST test images (packages/edge-api/examples/), then stopped with everything it started.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_DIR, startWranglerDev, type WranglerDev } from '@nin-bench/edge-api/node';

interface Sample {
  file: string;
  testIndex: number;
  label: number;
  className: string;
}

const examples = join(EDGE_DIR, 'examples');

describe('wrangler dev serving the edge Worker', () => {
  let dev: WranglerDev;
  let samples: Sample[];

  beforeAll(async () => {
    samples = (JSON.parse(await readFile(join(examples, 'samples.json'), 'utf8')) as { samples: Sample[] }).samples;
    dev = await startWranglerDev();
  });

  afterAll(async () => {
    await dev?.stop();
  });

  it('serves the default build: the 100 px model in int8 on onnxruntime-web (wasm SIMD)', async () => {
    expect(dev.health).toMatchObject({
      status: 'ready',
      engine: 'onnxruntime-int8',
      backend: 'onnxruntime-web:wasm',
      simd: true,
      weightPrecision: 'int8',
    });
    expect(await (await fetch(`${dev.url}/model`)).json()).toMatchObject({
      inputSize: 100,
      weightPrecision: 'int8',
      engine: { name: 'onnxruntime-int8' },
    });
  });

  it('classifies real test images sent as PNG: each of the first 10 as its label', async () => {
    const firstTen = samples.filter((s) => !s.file.includes('280x280')).slice(0, 10);
    expect(firstTen).toHaveLength(10);
    for (const s of firstTen) {
      const res = await fetch(`${dev.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: await readFile(join(examples, s.file)),
      });
      expect(res.status, s.file).toBe(200);
      const body = (await res.json()) as { index: number; label: string; probabilities: number[] };
      expect(body.probabilities).toHaveLength(10);
      // The 100 px int8 model (90.0% on the test set) gets every one of these right; a preprocessing slip would not.
      expect([body.index, body.label], s.file).toEqual([s.label, s.className]);
    }
  });

  it("classifies the enlarged RGB picture of a test image as that image's label", async () => {
    const big = samples.find((s) => s.file.includes('280x280'))!;
    const res = await fetch(`${dev.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: await readFile(join(examples, big.file)),
    });
    expect(((await res.json()) as { index: number }).index).toBe(big.label);
  });

  it('refuses a body over the limit, by Content-Length and when streamed', async () => {
    // node:http for both: fetch reports a refused upload as a network error instead of handing over the 413 that
    // came back, and since Node 24 (undici 7) a fetch whose upload the server stops reading waits for ever.
    const byLength = await postZeros(`${dev.url}/predict`, 1024 * 1024 + 1, { chunked: false });
    expect(byLength.status).toBe(413);
    expect(JSON.parse(byLength.body)).toMatchObject({ error: { code: 'body_too_large' } });
    // Streamed (chunked, no Content-Length). One byte over the limit, so that the upload is complete when the
    // answer comes (that a longer one is cut short is tested under Node with a counting stream).
    const streamed = await postZeros(`${dev.url}/predict`, 1024 * 1024 + 1, { chunked: true });
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
