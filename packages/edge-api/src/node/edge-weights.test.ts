import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEIGHT_STORAGES } from '@nin-bench/core-nin';
import { EDGE_DIR, bundledWeightsPath } from './edge-weights.ts';

const ENTRIES = { int8: 'worker.ts', float16: 'worker.float16.ts', float32: 'worker.float32.ts' } as const;

describe('the weights each Workers entry bundles', () => {
  it.each(WEIGHT_STORAGES)('%s: the entry imports the file bundledWeightsPath names (what edge:check and edge:dev prepare)', async (precision) => {
    const source = await readFile(join(EDGE_DIR, 'src', ENTRIES[precision]), 'utf8');
    const imported = /import weights from '([^']+\.safetensors)'/.exec(source)?.[1];
    expect(imported, `${ENTRIES[precision]} imports no .safetensors`).toBeDefined();
    expect(resolve(EDGE_DIR, 'src', imported!)).toBe(bundledWeightsPath(precision));
  });

  it('each wrangler environment points at its entry and says its precision', async () => {
    const toml = await readFile(join(EDGE_DIR, '..', '..', 'wrangler.toml'), 'utf8');
    expect(toml).toMatch(/^main = "packages\/edge-api\/src\/worker\.ts"$/m);
    expect(toml).toMatch(/^\[vars\]\n(?:#.*\n)*WEIGHT_PRECISION = "int8"$/m);
    for (const p of ['float16', 'float32'] as const) {
      expect(toml).toContain(`[env.${p}]\nmain = "packages/edge-api/src/${ENTRIES[p]}"`);
      expect(toml).toContain(`[env.${p}.vars]\nWEIGHT_PRECISION = "${p}"`);
    }
  });
});
