// GET /probe through the app: the WebAssembly peak probe, off (the 404 of any unknown path) unless the Worker's env
// says PEAK_PROBE = "on", and then only for GET.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWasmPeakModules, WASM_PEAK_KERNELS } from '@nin-bench/core-nin/probe/wasm-peak';
import { stubClassifier } from '../test/stub-classifier.ts';
import { createApp, type ErrorBody } from './app.ts';
import { readyClassifier } from './lazy.ts';
import type { PeakProbeBody } from './peak-probe.ts';

const bytes = (name: string) => readFileSync(new URL(import.meta.resolve(`@nin-bench/core-nin/probe/${name}`)));
const silent = () => {};

describe('GET /probe', () => {
  it('answers 404 like an unknown path unless PEAK_PROBE is "on", and never for another method', async () => {
    const peakProbe = await compileWasmPeakModules(bytes('wasm-peak.wasm'), bytes('wasm-peak-relaxed.wasm'));
    const app = createApp({ log: silent, classifier: readyClassifier(stubClassifier()), peakProbeWasm: peakProbe });
    for (const env of [undefined, {}, { PEAK_PROBE: 'off' }]) {
      const res = await app.request('/probe', {}, env);
      expect(res.status).toBe(404);
      expect(((await res.json()) as ErrorBody).error).toEqual({
        status: 404,
        code: 'not_found',
        message: 'no route GET /probe; see GET /',
      });
    }
    const post = await app.request('/probe', { method: 'POST' }, { PEAK_PROBE: 'on' });
    expect(post.status).toBe(404);
    // an app given no probe modules has no probe, whatever the env says
    const without = createApp({ log: silent, classifier: readyClassifier(stubClassifier()) });
    expect((await without.request('/probe', {}, { PEAK_PROBE: 'on' })).status).toBe(404);
  });

  it('with PEAK_PROBE=on runs every kernel', async () => {
    const peakProbe = await compileWasmPeakModules(bytes('wasm-peak.wasm'), bytes('wasm-peak-relaxed.wasm'));
    const app = createApp({ log: silent, classifier: readyClassifier(stubClassifier()), peakProbeWasm: peakProbe });
    const res = await app.request('/probe', {}, { PEAK_PROBE: 'on' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PeakProbeBody;
    expect(body.kernels.map((k) => k.kernel)).toEqual(WASM_PEAK_KERNELS.map((k) => k.id));
    expect(body.float32Gflops).toBeGreaterThan(1);
  });
});
