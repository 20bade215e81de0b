import { describe, expect, it } from 'vitest';
import { supportsRelaxedSimd } from '../litert/build.ts';
import { liteRtFiles, loadLiteRtNode } from './litert.ts';

describe('loadLiteRtNode', () => {
  it('finds the installed glue and wasm of each build', () => {
    expect(liteRtFiles('relaxed').glue).toMatch(/@litertjs\/core\/wasm\/litert_wasm_internal\.js$/);
    expect(liteRtFiles('compat').wasm).toMatch(/@litertjs\/core\/wasm\/litert_wasm_compat_internal\.wasm$/);
  });

  it('runs the relaxed build where this Node has relaxed SIMD, else compat', async () => {
    const runtime = await loadLiteRtNode();
    expect(runtime.build).toBe(supportsRelaxedSimd() ? 'relaxed' : 'compat');
    runtime.dispose();
  });

  it('runs compat when pinned, and refuses relaxed where relaxed SIMD is missing', async () => {
    const compat = await loadLiteRtNode({ build: 'compat' });
    expect(compat.build).toBe('compat');
    compat.dispose();
    if (supportsRelaxedSimd()) {
      (await loadLiteRtNode({ build: 'relaxed' })).dispose();
    } else {
      await expect(loadLiteRtNode({ build: 'relaxed' })).rejects.toThrow(
        `backend litert:relaxed is unavailable: Node ${process.versions.node} has no relaxed SIMD (Node 22 or newer has): use the compat build`,
      );
    }
  });
});
