import type { LiteRt } from '@litertjs/core';
import { BackendUnavailableError } from '../backends/unavailable.ts';
import { LITERT_VERSION, liteRtBuildOfGlue, type LiteRtBuild } from './build.ts';

/**
 * The embind API LiteRT's wasm exposes (`@litertjs/core` declares it as `LiteRt['liteRtWasm']`). This loader talks
 * to it directly instead of through the package's JavaScript layer: that layer keeps one global runtime, loads the
 * glue only by `importScripts` or a script tag, probes WebGPU when it starts (a console warning where there is
 * none) and picks the build by compiling wasm from bytes, none of which works in a Worker.
 */
export type LiteRtWasm = LiteRt['liteRtWasm'];

/** The glue script's export (`ModuleFactory`, an Emscripten MODULARIZE factory) for one build. */
export type LiteRtGlue = (moduleArg: Record<string, unknown>) => Promise<LiteRtWasm>;

export interface LiteRtRuntimeOptions {
  /** the glue of the build to run (see glue.ts for how each environment gets it) */
  readonly glue: LiteRtGlue;
  /** that build's `.wasm`: the `WebAssembly.Module` a Worker is handed, or its bytes where compiling is allowed */
  readonly wasm: WebAssembly.Module | BufferSource;
  /** the build the caller means to run; checked against the glue, so that what `build` reports is what ran */
  readonly build: LiteRtBuild;
  /**
   * Every line LiteRT prints. Default: its INFO lines and the note that no NPU accelerator exists (printed by
   * every environment it creates) are dropped, anything else goes to `console.warn` prefixed `[LiteRT]`.
   */
  readonly log?: (line: string) => void;
}

/** One LiteRT wasm instance with one CPU (XNNPACK) environment; models are loaded into it. */
export interface LiteRtRuntime {
  /** the build that is running */
  readonly build: LiteRtBuild;
  /** the `@litertjs/core` release of the glue and wasm */
  readonly version: string;
  readonly wasm: LiteRtWasm;
  /** LiteRT's CPU environment (no WebGPU device) */
  readonly environment: ReturnType<LiteRtWasm['LiteRtEnvironment']['create']>;
  /** the size of the wasm linear memory, in bytes (what a Workers isolate's 128 MB counts) */
  memoryBytes(): number;
  /** releases the environment; models loaded into it must be disposed of first */
  dispose(): void;
}

const NOISE = [/^INFO: /, /^WARNING: \[npu_registry\.cc:\d+\] NPU accelerator could not be loaded/];

function defaultLog(line: string): void {
  if (!NOISE.some((pattern) => pattern.test(line))) console.warn(`[LiteRT] ${line}`);
}

/**
 * The glue reads `self.location.href` when it runs inside a worker (it looks for `WorkerGlobalScope`), and workerd
 * has that scope but no `location`. It reads it once, synchronously, when the factory is called: for that call
 * only, a placeholder stands in (the glue takes its script directory from it, which nothing uses here: the wasm
 * is handed in and there are no other files).
 */
function callWithWorkerLocation<T>(call: () => T): T {
  const scope = globalThis as { WorkerGlobalScope?: unknown; location?: unknown };
  if (scope.WorkerGlobalScope === undefined || scope.location !== undefined) return call();
  Object.defineProperty(globalThis, 'location', { value: { href: 'file:///litert/' }, configurable: true });
  try {
    return call();
  } finally {
    delete scope.location;
  }
}

/**
 * Starts a LiteRT runtime from the given glue and wasm, without the network or any file: the wasm is
 * instantiated here (from the module, or compiled from its bytes) through the glue's `instantiateWasm` hook.
 * Throws BackendUnavailableError when the glue is not `build`'s or the runtime cannot instantiate it (the relaxed
 * build where relaxed SIMD is missing).
 */
export async function createLiteRtRuntime(options: LiteRtRuntimeOptions): Promise<LiteRtRuntime> {
  const { glue, wasm, build } = options;
  const glueBuild = liteRtBuildOfGlue(glue);
  if (glueBuild !== build)
    throw new BackendUnavailableError(
      `litert:${build}`,
      glueBuild === null
        ? 'the glue given is not a one-thread LiteRT.js glue (litert_wasm_internal.js or litert_wasm_compat_internal.js)'
        : `the glue given is the ${glueBuild} build's`,
    );
  const log = options.log ?? defaultLog;
  // Emscripten's instantiateWasm hook has a success callback only: a failure must reject from outside.
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const instantiateWasm = (
    imports: WebAssembly.Imports,
    done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
  ) => {
    const instantiated =
      wasm instanceof WebAssembly.Module
        ? WebAssembly.instantiate(wasm, imports).then((instance) => ({ instance, module: wasm }))
        : WebAssembly.instantiate(wasm, imports);
    instantiated.then(({ instance, module }) => done(instance, module), failed);
    return {};
  };
  let module: LiteRtWasm;
  try {
    module = await Promise.race([
      callWithWorkerLocation(() => glue({ instantiateWasm, print: log, printErr: log })),
      failure,
    ]);
  } catch (e) {
    throw new BackendUnavailableError(`litert:${build}`, `its wasm does not start here (${(e as Error).message})`);
  }
  const environment = module.LiteRtEnvironment.create(null);
  return {
    build,
    version: LITERT_VERSION,
    wasm: module,
    environment,
    memoryBytes: () => module.HEAPU8.buffer.byteLength,
    dispose: () => environment.delete(),
  };
}
