// Initialisation inside workerd: once per isolate, lazily, shared by concurrent first requests.
import { BackendRegistry, NinClassifier } from '@nin-bench/core-nin';
import { describe, expect, it, vi } from 'vitest';
import { bundled } from './worker.ts';
import { createEdgeWorker } from './worker-entry.ts';

describe('a fresh Worker instance', () => {
  it('loads nothing until the first request, then shares one load between 8 concurrent first requests', async () => {
    const activate = vi.spyOn(BackendRegistry.prototype, 'activate');
    const load = vi.spyOn(NinClassifier, 'fromSafetensors');
    const worker = createEdgeWorker(bundled);
    expect(activate).not.toHaveBeenCalled();
    const env = { WEIGHT_PRECISION: 'int8' };
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
    expect(activate).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledTimes(1);
    await worker.fetch(new Request('http://edge/health'), env);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('refuses to serve weights that do not match WEIGHT_PRECISION (503 on /health, not a crash)', async () => {
    const worker = createEdgeWorker(bundled);
    const res = await worker.fetch(new Request('http://edge/health'), { WEIGHT_PRECISION: 'float16' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'failed',
      error: { code: 'not_ready', message: expect.stringMatching(/float16.*int8/) },
    });
  });
});
