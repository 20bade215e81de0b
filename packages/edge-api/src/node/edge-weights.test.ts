import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EDGE_BUILDS, EDGE_DIR, edgeBuildFromEnv } from './edge-weights.ts';

describe('the Workers builds', () => {
  it.each(EDGE_BUILDS.map((b) => [`${b.inputSize} px ${b.precision}`, b] as const))('%s: its entry imports the weights file the scripts prepare', async (_, build) => {
    const source = await readFile(join(EDGE_DIR, 'src', build.entry), 'utf8');
    const imported = /import weights from '([^']+\.safetensors)'/.exec(source)?.[1];
    expect(imported, `${build.entry} imports no .safetensors`).toBeDefined();
    expect(resolve(EDGE_DIR, 'src', imported!)).toBe(build.weights);
  });

  it('each wrangler environment points at its entry and states its precision and input size', async () => {
    const toml = await readFile(join(EDGE_DIR, '..', '..', 'wrangler.toml'), 'utf8');
    for (const b of EDGE_BUILDS) {
      const vars = `WEIGHT_PRECISION = "${b.precision}"\nINPUT_SIZE = "${b.inputSize}"`;
      if (b.wranglerEnv === '') {
        expect(toml).toMatch(new RegExp(`^main = "packages/edge-api/src/${b.entry.replace('.', '\\.')}"$`, 'm'));
        expect(toml).toMatch(new RegExp(`^\\[vars\\]\\n(?:#.*\\n)*${vars}$`, 'm'));
      } else {
        expect(toml).toContain(`[env.${b.wranglerEnv}]\nmain = "packages/edge-api/src/${b.entry}"`);
        expect(toml).toContain(`[env.${b.wranglerEnv}.vars]\n${vars}`);
      }
    }
  });

  it('EDGE_SIZE and EDGE_WEIGHTS pick a build, and anything else is refused with the choices', () => {
    expect(edgeBuildFromEnv({})).toMatchObject({ inputSize: 224, precision: 'int8', wranglerEnv: '' });
    expect(edgeBuildFromEnv({ EDGE_WEIGHTS: 'float16' })).toMatchObject({ inputSize: 224, wranglerEnv: 'float16' });
    expect(edgeBuildFromEnv({ EDGE_SIZE: '96' })).toMatchObject({ inputSize: 96, precision: 'int8', wranglerEnv: 'size96' });
    expect(() => edgeBuildFromEnv({ EDGE_WEIGHTS: 'int4' })).toThrow(/EDGE_WEIGHTS must be one of float32, float16, int8/);
    expect(() => edgeBuildFromEnv({ EDGE_SIZE: '96', EDGE_WEIGHTS: 'float32' })).toThrow(/no edge build for 96 px float32: offered are .*96 px int8/);
  });
});
