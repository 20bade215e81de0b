import { EDGE_BUILDS } from '@nin-bench/edge-api/node';
import { describe, expect, it } from 'vitest';
import { createCatalog, selectEntries } from './catalog.ts';
import { EDGE_BUILD_ROWS, EDGE_ENGINE_ROWS } from './edge-rows.ts';

describe('the edge rows', () => {
  const catalog = createCatalog(2);
  const edge = catalog.filter((e) => e.runsIn === 'edge');

  it('has one row per size and engine of the edge build table', () => {
    const key = (size: number, engine: string) => `${size} px ${engine}`;
    const builds = [...new Set(EDGE_BUILDS.map((b) => key(b.inputSize, b.engine)))].sort();
    expect(EDGE_BUILD_ROWS.map((r) => key(r.size, r.engine)).sort()).toEqual(builds);
    // every engine the edge offers has its name here
    for (const b of EDGE_BUILDS) expect(Object.keys(EDGE_ENGINE_ROWS)).toContain(b.engine);
  });

  it('names each build by size and engine', () => {
    expect(edge.map((e) => e.id)).toEqual(
      EDGE_BUILD_ROWS.map((r) => `edge-${r.size}-${EDGE_ENGINE_ROWS[r.engine].id}`),
    );
    expect(edge.slice(0, 2).map((e) => e.id)).toEqual(['edge-224-tfjs', 'edge-224-onnx-int8']);
    expect(edge[0]).toMatchObject({
      label: 'edge endpoint 224 px, tfjs wasm SIMD',
      options: { edgeSize: 224, edgeEngine: 'tfjs' },
      remote: true,
      runner: 'edge.ts',
      model: 'endpoint',
      wasmArithmetic: 'float32',
    });
    expect(edge[1]).toMatchObject({
      label: 'edge endpoint 224 px, onnxruntime-web int8',
      options: { edgeSize: 224, edgeEngine: 'onnxruntime-int8' },
      wasmArithmetic: 'int8',
    });
    expect(new Set(edge.map((e) => e.label)).size).toBe(edge.length);
  });

  it('selects them all with edge, one build by id, and a size by prefix', () => {
    expect(selectEntries(catalog, ['edge']).map((e) => e.id)).toEqual(edge.map((e) => e.id));
    expect(selectEntries(catalog, ['edge-224-tfjs', 'edge-224-onnx-int8']).map((e) => e.id)).toEqual([
      'edge-224-tfjs',
      'edge-224-onnx-int8',
    ]);
    expect(selectEntries(catalog, ['edge-100']).map((e) => e.id)).toEqual(
      edge.filter((e) => e.options.edgeSize === 100).map((e) => e.id),
    );
  });
});
