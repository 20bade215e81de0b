import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWasmPeakModules, WASM_PEAK_KERNELS } from '@nin-bench/core-nin/probe/wasm-peak';
import { RequestError } from './errors.ts';
import { runPeakProbe } from './peak-probe.ts';

const bytes = (name: string) => readFileSync(new URL(import.meta.resolve(`@nin-bench/core-nin/probe/${name}`)));
const modules = () => compileWasmPeakModules(bytes('wasm-peak.wasm'), bytes('wasm-peak-relaxed.wasm'));

describe('GET /probe (the WebAssembly peak probe in the Worker)', () => {
  it('is the 404 of an unknown route unless PEAK_PROBE is "on", and without the modules', async () => {
    const m = await modules();
    for (const env of [undefined, {}, { PEAK_PROBE: 'off' }, { PEAK_PROBE: 'ON' }, { PEAK_PROBE: '1' }])
      await expect(runPeakProbe(env, m)).rejects.toEqual(
        new RequestError(404, 'not_found', 'no route GET /probe; see GET /'),
      );
    await expect(runPeakProbe({ PEAK_PROBE: 'on' }, undefined)).rejects.toBeInstanceOf(RequestError);
  });

  it('with PEAK_PROBE=on: every kernel, timed across zero timers (a Worker clock moves at I/O)', async () => {
    const body = await runPeakProbe({ PEAK_PROBE: 'on' }, await modules());
    // Node 20 has no navigator; workerd says Cloudflare-Workers
    expect(body.runtime).toBe(typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent);
    expect(body.kernels.map((k) => k.kernel)).toEqual(WASM_PEAK_KERNELS.map((k) => k.id));
    expect(body.float32Gflops).toBeGreaterThan(1);
    expect(body.int8Gops).toBeGreaterThan(1);
  });
});
