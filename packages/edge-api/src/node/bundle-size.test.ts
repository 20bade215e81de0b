import { describe, expect, it } from 'vitest';
import { FORMER_GZIP_LIMITS, WORKER_SIZE_LIMIT, checkBundle } from './bundle-size.ts';
import { DEFAULT_EDGE_BUILD } from './edge-weights.ts';

describe('the deployable Worker bundle (wrangler deploy --dry-run)', () => {
  it('holds the script, the wasm SIMD binary and the int8 weights, within the 64 MiB limit (and the former 3 MiB gzip one)', async () => {
    const size = await checkBundle(DEFAULT_EDGE_BUILD);
    const names = size.modules.map((m) => m.name);
    expect(names).toContain('worker.js');
    expect(names).toContain('tfjs-backend-wasm-simd.wasm');
    expect(names.filter((n) => n.endsWith('.safetensors'))).toEqual([expect.stringContaining('int8')]);
    // no other wasm binary (plain, threaded) is dragged in
    expect(names.filter((n) => n.endsWith('.wasm'))).toHaveLength(1);
    expect(size.rawBytes).toBeLessThan(WORKER_SIZE_LIMIT.uncompressedBytes);
    expect(size.gzipBytes).toBeLessThan(FORMER_GZIP_LIMITS.free);
    expect(size.wranglerSummary).toMatch(/Total Upload/);
  });
});
