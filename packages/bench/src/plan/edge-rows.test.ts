import { describe, expect, it } from 'vitest';
import { createCatalog, selectEntries } from './catalog.ts';

describe('the edge rows', () => {
  const catalog = createCatalog(2);
  const edge = catalog.filter((e) => e.engine === 'edge');

  it('has one row per Workers build', () => {
    expect(edge.map((e) => e.id)).toEqual([
      'edge-224-tfjs',
      'edge-224-onnx-int8',
      'edge-100-tfjs',
      'edge-100-onnx-int8',
      'edge-96-tfjs',
    ]);
    expect(edge[0]).toMatchObject({
      label: 'edge endpoint 224 px, tfjs wasm SIMD',
      options: { edgeSize: 224, edgeEngine: 'tfjs' },
      remote: true,
      runner: 'edge.ts',
    });
    expect(edge[1]).toMatchObject({
      label: 'edge endpoint 224 px, onnxruntime-web int8',
      options: { edgeSize: 224, edgeEngine: 'onnxruntime-int8' },
    });
    expect(new Set(edge.map((e) => e.label)).size).toBe(edge.length);
  });

  it('selects them all with edge, one build by id, and a size by prefix', () => {
    expect(selectEntries(catalog, ['edge']).map((e) => e.id)).toEqual(edge.map((e) => e.id));
    expect(selectEntries(catalog, ['edge-224-tfjs', 'edge-224-onnx-int8']).map((e) => e.id)).toEqual([
      'edge-224-tfjs',
      'edge-224-onnx-int8',
    ]);
    expect(selectEntries(catalog, ['edge-100']).map((e) => e.id)).toEqual(['edge-100-tfjs', 'edge-100-onnx-int8']);
  });
});
