import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liteRtFiles } from '../node/litert.ts';
import { liteRtBuildOfGlue } from './build.ts';
import { liteRtGlueAsEsModule, loadLiteRtGlueScript } from './glue.ts';

type Scope = { ModuleFactory?: unknown; importScripts?: unknown };
const scope = globalThis as Scope;

describe('the glue outside Node', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'litert-glue-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    delete scope.importScripts;
    delete scope.ModuleFactory;
  });

  it('as an ES module, default-exports the factory (and says where it came from)', async () => {
    const source = liteRtGlueAsEsModule(await readFile(liteRtFiles('compat').glue, 'utf8'), 'from the\ncompat build');
    expect(source.startsWith('// from the\n// compat build\n')).toBe(true);
    const file = join(dir, 'glue.mjs');
    await writeFile(file, source);
    const { default: factory } = (await import(pathToFileURL(file).href)) as { default: () => unknown };
    expect(liteRtBuildOfGlue(factory)).toBe('compat');
    expect(scope.ModuleFactory).toBeUndefined();
  });

  it('as a script in a web worker: runs it with importScripts and takes the factory, leaving no global', async () => {
    const factory = async () => ({});
    const loaded: string[] = [];
    scope.importScripts = (url: string) => {
      loaded.push(url);
      scope.ModuleFactory = factory;
    };
    expect(await loadLiteRtGlueScript(new URL('https://example.test/wasm/litert_wasm_internal.js'))).toBe(factory);
    expect(loaded).toEqual(['https://example.test/wasm/litert_wasm_internal.js']);
    expect(scope.ModuleFactory).toBeUndefined();
    scope.importScripts = () => {};
    await expect(loadLiteRtGlueScript('/nothing.js')).rejects.toThrow(
      '/nothing.js defined no ModuleFactory: is it a LiteRT glue script?',
    );
  });
});
