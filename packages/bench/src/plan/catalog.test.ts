import { describe, expect, it } from 'vitest';
import {
  catalogEntry,
  createCatalog,
  edgeBaselineEntry,
  INT8_MODELS,
  REFERENCE_BACKEND,
  selectEntries,
  versionPackages,
} from './catalog.ts';

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
      'litert-int8-1t',
      'browser-onnxruntime-web-int8-1t',
      'browser-onnxruntime-web-int8-all',
      'browser-litert-wasm-int8-1t',
      'browser-litert-wasm-int8-all',
    ]);
    // exactly the rows on an int8 model name a float32 row: same engine, runner, place and threads, float32 model
    expect(
      catalog.filter((e) => INT8_MODELS.includes(e.model) || e.wasmArithmetic === 'int8').filter((e) => !e.remote),
    ).toEqual(int8);
    for (const e of int8) {
      const float = catalog.find((f) => f.id === e.int8Of)!;
      expect([e.engine, e.runner, e.runsIn, e.threads, e.model], e.id).toEqual([
        float.engine,
        float.runner,
        float.runsIn,
        float.threads,
        `${float.model}-int8`,
      ]);
      expect(float.int8Of).toBeUndefined();
    }
    expect(
      createCatalog(1)
        .filter((e) => e.int8Of)
        .map((e) => e.int8Of),
    ).toEqual([
      'onnxruntime-node-1t',
      'onnxruntime-web-1t',
      'litert-1t',
      'browser-onnxruntime-web-1t',
      'browser-litert-wasm-1t',
    ]);
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
      'browser-litert-wasm-1t',
      'browser-litert-wasm-all',
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

  it('declares what each row needs: its model file, where it runs, the packages it records', () => {
    const byId = new Map(catalog.map((e) => [e.id, e]));
    const pick = (id: string) => {
      const e = byId.get(id)!;
      return [e.model, e.runsIn, e.portable, e.threads, e.wasmArithmetic, e.browser, e.remote];
    };
    expect(pick('tfjs-cpu')).toEqual(['safetensors', 'node', true, undefined, undefined, false, false]);
    expect(pick('tfjs-wasm-simd')).toEqual(['safetensors', 'node', true, 1, 'float32', false, false]);
    expect(pick('tfjs-tensorflow-cpu')).toEqual(['safetensors', 'node', false, undefined, undefined, false, false]);
    expect(pick('onnxruntime-node-all')).toEqual(['onnx', 'node', false, 4, undefined, false, false]);
    expect(pick('onnxruntime-web-int8-1t')).toEqual(['onnx-int8', 'node', true, 1, 'int8', false, false]);
    expect(pick('litert-1t')).toEqual(['tflite', 'node', true, 1, 'float32', false, false]);
    expect(pick('litert-int8-1t')).toEqual(['tflite-int8', 'node', true, 1, 'int8', false, false]);
    expect(pick('pytorch-cpu')).toEqual(['safetensors', 'python', false, 4, undefined, false, false]);
    expect(pick('browser-tfjs-wasm-plain')).toEqual(['safetensors', 'browser', true, 1, 'float32', true, false]);
    expect(pick('browser-litert-wasm-all')).toEqual(['tflite', 'browser', true, 4, 'float32', true, false]);
    expect(pick('browser-litert-webgpu')).toEqual(['tflite', 'browser', true, undefined, undefined, true, false]);
    expect(pick('edge-100-onnx-int8')).toEqual(['endpoint', 'edge', false, 1, 'int8', false, true]);
    expect(byId.get('browser-tfjs-webgl')!.versionPackages).toEqual([
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-webgl',
    ]);
    expect(byId.get('litert-1t')!.versionPackages).toEqual(['@litertjs/core']);
  });

  it('looks a results row up by id, whatever this machine has', () => {
    expect(catalogEntry('onnxruntime-web-int8-all')).toMatchObject({
      int8Of: 'onnxruntime-web-all',
      model: 'onnx-int8',
    });
    expect(catalogEntry('browser-litert-wasm-1t')).toMatchObject({ runsIn: 'browser', browser: true });
    expect(catalogEntry('no-such-engine')).toBeUndefined();
  });

  it('records the versions of every engine package the catalog names, once each', () => {
    const names = versionPackages();
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['@tensorflow/tfjs-core', 'onnxruntime-node', 'onnxruntime-web', '@litertjs/core', 'webgpu'])
      expect(names).toContain(name);
  });

  it("declares each WebAssembly row's arithmetic (the report's % of peak reads it), and none for the others", () => {
    const cases: [string, string | null][] = [
      ['tfjs-wasm-simd', 'float32'],
      ['tfjs-wasm-plain', 'float32'],
      ['browser-tfjs-wasm-simd-all', 'float32'],
      ['onnxruntime-web-1t', 'float32'],
      ['onnxruntime-web-int8-all', 'int8'],
      ['browser-onnxruntime-web-int8-1t', 'int8'],
      ['browser-onnxruntime-web-webgpu', null],
      ['edge-224-tfjs', 'float32'],
      ['edge-100-onnx-int8', 'int8'],
      ['edge-100-litert-int8', 'int8'],
      ['litert-1t', 'float32'],
      ['litert-int8-1t', 'int8'],
      ['browser-litert-wasm-int8-all', 'int8'],
      ['browser-litert-webgpu', null],
      ['tfjs-cpu', null],
      ['tfjs-webgpu', null],
      ['browser-tfjs-webgl', null],
      ['onnxruntime-node-int8-1t', null],
      ['pytorch-cpu', null],
    ];
    for (const [id, want] of cases) expect([id, catalogEntry(id)?.wasmArithmetic ?? null]).toEqual([id, want]);
  });

  it('declares one edge baseline: an in-process float32 WebAssembly row of the engine an edge build runs', () => {
    const declared = createCatalog(4).filter((e) => e.edgeBaseline);
    expect(declared).toHaveLength(1);
    expect(edgeBaselineEntry()).toMatchObject({ id: declared[0].id, runsIn: 'node', wasmArithmetic: 'float32' });
    const edgeEngines = createCatalog(4)
      .filter((e) => e.runsIn === 'edge')
      .map((e) => String(e.options.edgeEngine ?? 'tfjs'));
    expect(edgeEngines).toContain(edgeBaselineEntry().engine);
  });
});
