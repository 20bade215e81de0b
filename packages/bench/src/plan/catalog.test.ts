import { describe, expect, it } from 'vitest';
import { createCatalog, REFERENCE_BACKEND, selectEntries } from './catalog.ts';

describe('backend catalog', () => {
  const catalog = createCatalog(4);

  it('puts the reference first and names thread counts from the machine', () => {
    expect(catalog[0].id).toBe(REFERENCE_BACKEND);
    expect(catalog.find((e) => e.id === 'onnxruntime-web-all')).toMatchObject({
      label: 'onnxruntime-web wasm 4 threads',
      options: { threads: 4 },
    });
    expect(createCatalog(1).some((e) => e.id.endsWith('-all'))).toBe(false);
  });

  it('selects by id, alias and prefix in catalog order', () => {
    expect(selectEntries(catalog, ['onnxruntime-web', 'cpu']).map((e) => e.id)).toEqual([
      'tfjs-cpu',
      'onnxruntime-web-1t',
      'onnxruntime-web-all',
      'onnxruntime-web-int8-1t',
      'onnxruntime-web-int8-all',
    ]);
    expect(selectEntries(catalog, ['onnxruntime-node-int8', 'ort-web-int8-1t']).map((e) => e.id)).toEqual([
      'onnxruntime-node-int8-1t',
      'onnxruntime-node-int8-all',
      'onnxruntime-web-int8-1t',
    ]);
    expect(selectEntries(catalog, ['tfjs-wasm']).map((e) => e.id)).toEqual([
      'tfjs-wasm-simd',
      'tfjs-wasm-plain',
      'tfjs-wasm-threads',
    ]);
    expect(selectEntries(catalog, ['wasm:plain']).map((e) => e.id)).toEqual(['tfjs-wasm-plain']);
    expect(selectEntries(catalog, undefined)).toHaveLength(catalog.length);
  });

  it('pairs every int8 row with the float32 row of the same engine and threads', () => {
    const int8 = catalog.filter((e) => e.int8Of);
    expect(int8.map((e) => e.id)).toEqual([
      'onnxruntime-node-int8-1t',
      'onnxruntime-node-int8-all',
      'onnxruntime-web-int8-1t',
      'onnxruntime-web-int8-all',
      'browser-onnxruntime-web-int8-1t',
      'browser-onnxruntime-web-int8-all',
    ]);
    for (const e of int8) {
      const float = catalog.find((f) => f.id === e.int8Of)!;
      expect([e.engine, e.runner, e.options.threads, e.options.int8], e.id).toEqual([
        float.engine,
        float.runner,
        float.options.threads,
        true,
      ]);
      expect(float.int8Of).toBeUndefined();
    }
    expect(
      createCatalog(1)
        .filter((e) => e.int8Of)
        .map((e) => e.int8Of),
    ).toEqual(['onnxruntime-node-1t', 'onnxruntime-web-1t', 'browser-onnxruntime-web-1t']);
  });

  it('has browser rows for every engine a page picks between, the slow and duplicate ones left to --full', () => {
    const browser = catalog.filter((e) => e.browser);
    expect(selectEntries(catalog, ['browser']).map((e) => e.id)).toEqual(browser.map((e) => e.id));
    expect(
      browser.every((e) => e.runner === 'browser.ts' && e.label.endsWith('(browser)') && e.id.startsWith('browser-')),
    ).toBe(true);
    expect(browser.find((e) => e.id === 'browser-tfjs-wasm-simd-all')).toMatchObject({
      label: 'tfjs wasm SIMD 4 threads (browser)',
      options: { engine: 'tfjs', backend: 'wasm', threads: 4 },
    });
    expect(browser.filter((e) => String(e.options.backend) === 'webgpu').map((e) => e.options.flags)).toEqual([
      '--enable-unsafe-webgpu',
      '--enable-unsafe-webgpu',
    ]);
    // the default run: every row but the extended ones; --full and --backends reach those too
    const byDefault = selectEntries(catalog, undefined, { extended: false })
      .filter((e) => e.browser)
      .map((e) => e.id);
    expect(byDefault).toEqual([
      'browser-tfjs-wasm-simd-1t',
      'browser-tfjs-wasm-simd-all',
      'browser-tfjs-webgl',
      'browser-onnxruntime-web-1t',
      'browser-onnxruntime-web-all',
    ]);
    expect(selectEntries(catalog, ['browser-tfjs-webgpu'], { extended: false }).map((e) => e.id)).toEqual([
      'browser-tfjs-webgpu',
    ]);
  });

  it('rejects an unknown backend, listing the choices', () => {
    expect(() => selectEntries(catalog, ['tpu'])).toThrow(/unknown backend "tpu": choose from tfjs-cpu, /);
  });

  it('keeps tfjs wasm threads as a row that says why it cannot run under Node', () => {
    expect(catalog.find((e) => e.id === 'tfjs-wasm-threads')?.unavailable).toMatch(/WASM_HAS_MULTITHREAD_SUPPORT/);
  });
});
