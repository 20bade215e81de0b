import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { workerPeakProbe } from './edge-peak-probe.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A stand-in Worker answering GET /probe with `status` and `body`. */
async function worker(status: number, body: unknown): Promise<string> {
  server = createServer((req, res) => {
    if (req.url !== '/probe') return res.writeHead(404).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe("the edge Worker's WebAssembly peak probe, as the bench reads it", () => {
  it('turns GET /probe into facts details naming the Worker', async () => {
    const base = await worker(200, {
      runtime: 'Cloudflare-Workers',
      kernels: [{ kernel: 'f32x4-relaxed-madd', arithmetic: 'float32', available: true, gops: 66.61 }],
      float32Gflops: 66.61,
      float32Kernel: 'f32x4-relaxed-madd',
      int8Gops: 248.7,
      int8Kernel: 'i32x4-relaxed-dot-i8x16-i7x16',
    });
    expect(await workerPeakProbe(base)).toEqual({
      wasmPeakFloat32Gflops: 66.6,
      wasmPeakFloat32Kernel: 'f32x4-relaxed-madd',
      wasmPeakInt8Gops: 249,
      wasmPeakInt8Kernel: 'i32x4-relaxed-dot-i8x16-i7x16',
      wasmPeakKernels: 'f32x4-relaxed-madd 66.6',
      wasmPeakRuntime: 'the Worker (Cloudflare-Workers, workerd under wrangler dev)',
    });
  });

  it('gives nothing for a 404 (probe off) and the reason for any other failure', async () => {
    expect(await workerPeakProbe(await worker(404, {}))).toEqual({});
    server!.close();
    expect(await workerPeakProbe(await worker(503, { error: { status: 503, code: 'x', message: 'busy' } }))).toEqual({
      wasmPeakError: 'GET /probe answered 503: busy',
    });
    server!.close();
    server = undefined;
    expect((await workerPeakProbe('http://127.0.0.1:9')).wasmPeakError).toMatch(/^GET \/probe: /);
  });
});
