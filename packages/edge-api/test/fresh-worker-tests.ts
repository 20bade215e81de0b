// The tests of a fresh Worker instance inside workerd, whatever its engine: it loads nothing until its first request,
// one load serves 8 concurrent first requests, and settings that do not match what it bundles get a 503 on /health
// (not a crash). Each build's test file calls freshWorkerTests with how to make its Worker.
import { expect, it, type MockInstance } from 'vitest';
import type { EdgeEnv, EdgeWorker } from '../src/worker-handler.ts';

export interface FreshWorkerFacts {
  /** a new Worker of the build under test, from the modules its entry bundles */
  readonly create: () => EdgeWorker;
  /** the settings it serves under (wrangler.toml's vars for the build) */
  readonly env: EdgeEnv;
  /** spies on what loading the engine calls, made before the Worker is: each must run once in all */
  readonly spyOnLoad?: () => readonly MockInstance[];
  /** settings it must refuse, each with the pattern of the message that says why */
  readonly refusals: readonly (readonly [EdgeEnv, RegExp])[];
}

/** Registers, in the `describe` it is called in, the tests of a fresh Worker instance. */
export function freshWorkerTests(facts: FreshWorkerFacts): void {
  it('loads nothing until the first request, then shares one load between 8 concurrent first requests', async () => {
    const spies = facts.spyOnLoad?.() ?? [];
    const worker = facts.create();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        worker.fetch(
          new Request('http://edge/predict', {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            body: new Uint8Array(784).fill(i * 30),
          }),
          facts.env,
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
    expect((await worker.fetch(new Request('http://edge/health'), facts.env)).status).toBe(200);
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
  });

  it.each(
    facts.refusals.map(([vars, message]) => ({
      vars,
      message,
      set: Object.entries(vars)
        .map(([key, value]) => `${key}=${value}`)
        .join(' '),
    })),
  )('refuses to serve under $set (503 on /health, not a crash)', async ({ vars, message }) => {
    const res = await facts.create().fetch(new Request('http://edge/health'), vars);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'failed',
      error: { code: 'not_ready', message: expect.stringMatching(message) },
    });
  });
}
