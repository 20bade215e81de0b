import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from '../backends/unavailable.ts';
import { compileLiteRtWasm, liteRtFiles, readLiteRtGlue } from '../node/litert.ts';
import { bestLiteRtBuild } from './build.ts';
import { createLiteRtRuntime } from './runtime.ts';

// The build this Node can run (relaxed on Node 22+, compat on Node 20); the other one where it matters.
const build = bestLiteRtBuild();
const other = build === 'relaxed' ? 'compat' : 'relaxed';

describe('createLiteRtRuntime', () => {
  afterEach(() => vi.restoreAllMocks());

  it('starts from a glue and a compiled module, says which build runs, and prints nothing by default', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const log = vi.spyOn(console, 'log');
    const runtime = await createLiteRtRuntime({
      glue: await readLiteRtGlue(build),
      wasm: await compileLiteRtWasm(build),
      build,
    });
    expect(runtime.build).toBe(build);
    expect(runtime.version).toBe('2.5.3');
    expect(runtime.memoryBytes()).toBeGreaterThan(1 << 20);
    runtime.dispose();
    for (const spy of [warn, error, log]) expect(spy).not.toHaveBeenCalled();
  });

  it('starts from the wasm bytes too, and hands every line LiteRT prints to `log`', async () => {
    const lines: string[] = [];
    const runtime = await createLiteRtRuntime({
      glue: await readLiteRtGlue(build),
      wasm: await readFile(liteRtFiles(build).wasm),
      build,
      log: (line) => lines.push(line),
    });
    runtime.dispose();
    // creating the environment registers the CPU accelerator (an INFO line the default log drops)
    expect(
      lines.some((line) => /^INFO: .*XNNPACK CPU accelerator registered/.test(line)),
      lines.join('\n'),
    ).toBe(true);
  });

  it('refuses a glue that is not the pinned build, before running anything', async () => {
    const glue = await readLiteRtGlue(build);
    const wasm = await compileLiteRtWasm(build);
    await expect(createLiteRtRuntime({ glue, wasm, build: other })).rejects.toThrow(
      new BackendUnavailableError(`litert:${other}`, `the glue given is the ${build} build's`),
    );
    await expect(createLiteRtRuntime({ glue: (async () => ({})) as never, wasm, build })).rejects.toThrow(
      /is not a one-thread LiteRT\.js glue/,
    );
  });

  it("fails, instead of hanging, when the wasm is not the glue's", async () => {
    // the compat wasm imports a function the relaxed glue does not provide: instantiation fails inside the hook
    const relaxedGlue = await readLiteRtGlue('relaxed');
    const compatWasm = await compileLiteRtWasm('compat');
    await expect(createLiteRtRuntime({ glue: relaxedGlue, wasm: compatWasm, build: 'relaxed' })).rejects.toThrow(
      /backend litert:relaxed is unavailable: its wasm does not start here \(.*Import/,
    );
  });
});
