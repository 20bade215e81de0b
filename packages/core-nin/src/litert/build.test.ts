import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readLiteRtGlue } from '../node/litert.ts';
import { LITERT_BUILDS, LITERT_VERSION, bestLiteRtBuild, liteRtBuildOfGlue, supportsRelaxedSimd } from './build.ts';

describe('LiteRT.js builds', () => {
  it('names the installed @litertjs/core release', async () => {
    const pkg = createRequire(import.meta.url).resolve('@litertjs/core/package.json');
    expect(JSON.parse(await readFile(pkg, 'utf8')).version).toBe(LITERT_VERSION);
  });

  it('finds relaxed SIMD exactly where V8 ships it (Node 22 and newer)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(supportsRelaxedSimd()).toBe(major >= 22);
    expect(bestLiteRtBuild()).toBe(major >= 22 ? 'relaxed' : 'compat');
  });

  it("tells each build's glue apart, and anything else from both", async () => {
    for (const build of LITERT_BUILDS) expect(liteRtBuildOfGlue(await readLiteRtGlue(build))).toBe(build);
    // the threaded build's glue (pthreads: not for Workers) is neither
    const threaded = await readFile(
      createRequire(import.meta.url).resolve('@litertjs/core/wasm/litert_wasm_threaded_internal.js'),
      'utf8',
    );
    expect(liteRtBuildOfGlue(new Function('module', 'exports', threaded) as () => unknown)).toBeNull();
    expect(liteRtBuildOfGlue(() => 1)).toBeNull();
  });
});
