/**
 * LiteRT.js's WebAssembly builds that run on one thread, and how to tell which one a runtime can take. The package
 * (`@litertjs/core`) ships each build as a glue script plus its `.wasm` in `@litertjs/core/wasm/`; the threaded
 * build needs pthreads (Workers have none) and the JSPI build a JS-promise integration not every runtime has.
 */

/** The `@litertjs/core` release whose glue and wasm this loader is written and tested against. */
export const LITERT_VERSION = '2.5.3';

/**
 * `relaxed`: XNNPACK with relaxed SIMD (Node 22+, workerd, Chromium 114+), the fast one. `compat`: plain
 * wasm SIMD, for runtimes without relaxed SIMD (Node 20).
 */
export type LiteRtBuild = 'relaxed' | 'compat';

export const LITERT_BUILDS: readonly LiteRtBuild[] = ['relaxed', 'compat'];

/** Each build's file names (without extension: `.js` is the glue, `.wasm` the binary) in `@litertjs/core/wasm/`. */
export const LITERT_BUILD_FILES: Readonly<Record<LiteRtBuild, string>> = {
  relaxed: 'litert_wasm_internal',
  compat: 'litert_wasm_compat_internal',
};

/**
 * The smallest module that uses a relaxed-SIMD instruction (`i8x16.relaxed_swizzle`): the same probe
 * `@litertjs/core` instantiates to choose a build. Here it is only validated, which Workers allow (they forbid
 * compiling from bytes, which is how the package's own check ends up choosing `compat` in workerd).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15,
  253, 128, 2, 11,
]);

/** Whether this JavaScript runtime's WebAssembly has relaxed SIMD. */
export function supportsRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** The fastest build this runtime can run: `relaxed` where relaxed SIMD validates, else `compat`. */
export function bestLiteRtBuild(): LiteRtBuild {
  return supportsRelaxedSimd() ? 'relaxed' : 'compat';
}

/**
 * Which build a glue factory belongs to, read from its source: each glue names its own `.wasm` (the factory's
 * text holds the whole generated runtime, so this is a plain substring test). `null` for anything else (the
 * threaded or JSPI glue, or a function that is no LiteRT glue).
 */
export function liteRtBuildOfGlue(glue: (...args: never[]) => unknown): LiteRtBuild | null {
  const source = Function.prototype.toString.call(glue);
  for (const build of LITERT_BUILDS) if (source.includes(`"${LITERT_BUILD_FILES[build]}.wasm"`)) return build;
  return null;
}
