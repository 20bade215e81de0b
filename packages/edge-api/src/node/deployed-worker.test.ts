import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleModuleError, bundleModules, readBuildConfig } from './deployed-worker.ts';
import { DEFAULT_EDGE_BUILD, EDGE_BUILDS, edgeBuild } from './edge-weights.ts';

describe('readBuildConfig', () => {
  // first: wrangler's handlers come with its first import (this file's, as vitest isolates files)
  it("leaves no SIGINT/SIGTERM handler of wrangler's behind (they would exit a server before it stops workerd)", async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    await readBuildConfig(DEFAULT_EDGE_BUILD);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });

  it("reads the build's environment as wrangler does: its own vars (not the top level's), the compatibility date", async () => {
    const top = await readBuildConfig(DEFAULT_EDGE_BUILD);
    expect(top.vars).toMatchObject({ INPUT_SIZE: '100', WEIGHT_PRECISION: 'int8', EDGE_ENGINE: 'litert-int8' });
    expect(top.compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(top.main).toMatch(/worker\.litert-int8-size100\.ts$/);
    const tfjs224 = await readBuildConfig(edgeBuild(224, 'int8', 'tfjs'));
    expect(tfjs224.vars).toMatchObject({ INPUT_SIZE: '224', WEIGHT_PRECISION: 'int8', EDGE_ENGINE: 'tfjs' });
    expect(tfjs224.main).toMatch(/src\/worker\.ts$/);
  });

  it('gives every build its own EDGE_ENGINE, INPUT_SIZE and entry (vars are not inherited: one left out is undefined)', async () => {
    for (const build of EDGE_BUILDS) {
      const config = await readBuildConfig(build);
      expect(config.vars, build.wranglerEnv || 'top level').toMatchObject({
        EDGE_ENGINE: build.engine,
        INPUT_SIZE: String(build.inputSize),
      });
      expect(config.main?.split('/src/').at(-1), build.wranglerEnv || 'top level').toBe(build.entry);
    }
  });
});

describe('bundleModules', () => {
  let outdir: string;
  beforeEach(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'bundle-modules-'));
  });
  afterEach(() => rm(outdir, { recursive: true, force: true }));

  const write = (names: string[]) => Promise.all(names.map((n) => writeFile(join(outdir, n), '')));

  it("types a dry run's files by wrangler.toml's rules and wrangler's defaults, the entry first, README and map left out", async () => {
    const { rules } = await readBuildConfig(DEFAULT_EDGE_BUILD);
    await write([
      'worker.js',
      'worker.js.map',
      'README.md',
      '81e6-ort-wasm-simd-threaded.wasm',
      'f66f-nin-fmnist-100.int8.onnx',
      'aa00-nin-fmnist-100.int8.safetensors',
      'bb00-notes.txt',
      'cc00-blob.bin',
    ]);
    expect(bundleModules(outdir, 'worker.js', rules)).toEqual([
      { name: 'worker.js', type: 'ESModule' },
      { name: '81e6-ort-wasm-simd-threaded.wasm', type: 'CompiledWasm' },
      { name: 'aa00-nin-fmnist-100.int8.safetensors', type: 'Data' },
      { name: 'bb00-notes.txt', type: 'Text' },
      { name: 'cc00-blob.bin', type: 'Data' },
      { name: 'f66f-nin-fmnist-100.int8.onnx', type: 'Data' },
    ]);
  });

  it('refuses a file no rule types, and a bundle without its entry', async () => {
    const { rules } = await readBuildConfig(DEFAULT_EDGE_BUILD);
    await write(['worker.js', 'dd00-model.xyz']);
    expect(() => bundleModules(outdir, 'worker.js', rules)).toThrow(BundleModuleError);
    expect(() => bundleModules(outdir, 'worker.js', rules)).toThrow(
      /no module rule in wrangler.toml types dd00-model\.xyz/,
    );
    expect(() => bundleModules(outdir, 'other.js', rules)).toThrow(/no entry other\.js/);
  });
});
