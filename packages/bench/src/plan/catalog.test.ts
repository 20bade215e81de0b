import { describe, expect, it } from 'vitest';
import { createCatalog, REFERENCE_BACKEND, selectEntries } from './catalog.ts';

describe('backend catalog', () => {
  const catalog = createCatalog(4);

  it('puts the reference first and names thread counts from the machine', () => {
    expect(catalog[0].id).toBe(REFERENCE_BACKEND);
    expect(catalog.find((e) => e.id === 'onnxruntime-web-all')).toMatchObject({ label: 'onnxruntime-web wasm 4 threads', options: { threads: 4 } });
    expect(createCatalog(1).some((e) => e.id.endsWith('-all'))).toBe(false);
  });

  it('selects by id, alias and prefix in catalog order', () => {
    expect(selectEntries(catalog, ['onnxruntime-web', 'cpu']).map((e) => e.id)).toEqual(['tfjs-cpu', 'onnxruntime-web-1t', 'onnxruntime-web-all']);
    expect(selectEntries(catalog, ['tfjs-wasm']).map((e) => e.id)).toEqual(['tfjs-wasm-simd', 'tfjs-wasm-plain', 'tfjs-wasm-threads']);
    expect(selectEntries(catalog, ['wasm:plain']).map((e) => e.id)).toEqual(['tfjs-wasm-plain']);
    expect(selectEntries(catalog, undefined)).toHaveLength(catalog.length);
  });

  it('rejects an unknown backend, listing the choices', () => {
    expect(() => selectEntries(catalog, ['tpu'])).toThrow(/unknown backend "tpu": choose from tfjs-cpu, /);
  });

  it('keeps tfjs wasm threads as a row that says why it cannot run under Node', () => {
    expect(catalog.find((e) => e.id === 'tfjs-wasm-threads')?.unavailable).toMatch(/WASM_HAS_MULTITHREAD_SUPPORT/);
  });
});
