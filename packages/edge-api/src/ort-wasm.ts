/**
 * Hands onnxruntime-web a precompiled `WebAssembly.Module`. Workers refuse to compile WebAssembly from bytes
 * (`WebAssembly.instantiate(bytes)`, `new WebAssembly.Module(bytes)`): a Worker gets its wasm as a module that
 * the runtime compiled at upload. onnxruntime-web 1.30 has no option for that: `env.wasm.wasmBinary` takes bytes
 * and `env.wasm.wasmPaths` a URL, and the emscripten factory it builds gets no `instantiateWasm` hook from outside
 * (its config holds only numThreads, wasmBinary and locateFile). So, for the one call that initialises the
 * runtime, `env.wasm.wasmBinary` is set to a marker and `WebAssembly.instantiate` answers that marker's bytes
 * with the precompiled module, instantiated with the imports emscripten passes; every other call goes through
 * unchanged, and the original function is back as soon as the call settles.
 */

/** What `env.wasm.wasmBinary` holds while the runtime initialises: not WebAssembly (no `\0asm`), so never compiled by mistake. */
const MARKER = new TextEncoder().encode('nin-bench: precompiled onnxruntime-web module');

function isMarker(bytes: unknown): boolean {
  const view = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  return view !== null && view.length === MARKER.length && view.every((b, i) => b === MARKER[i]);
}

export interface PrecompiledWasm {
  /** the `wasmBinary` to give onnxruntime-web's env while `body` runs */
  readonly marker: Uint8Array;
  /** the runtime's WebAssembly memory (what counts against a Workers isolate's 128 MB), once instantiated */
  memory(): WebAssembly.Memory | null;
}

/**
 * Runs `body` (which must initialise onnxruntime-web's wasm runtime, e.g. by creating the first session with
 * `env.wasm.wasmBinary = marker`) with `WebAssembly.instantiate` answering the marker with `module`.
 */
export async function withPrecompiledWasm<T>(
  module: WebAssembly.Module,
  body: (wasm: PrecompiledWasm) => Promise<T>,
): Promise<{ result: T; memory: WebAssembly.Memory | null }> {
  const original = WebAssembly.instantiate;
  let memory: WebAssembly.Memory | null = null;
  let used = false;
  const instantiate = async (source: unknown, imports?: WebAssembly.Imports): Promise<unknown> => {
    if (!isMarker(source))
      return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
    used = true;
    // emscripten creates the memory and imports it (onnxruntime-web's binary is the threaded build: a shared memory)
    for (const namespace of Object.values(imports ?? {})) {
      for (const value of Object.values(namespace)) if (value instanceof WebAssembly.Memory) memory = value;
    }
    const instance = await original(module, imports);
    // instantiate(bytes) resolves to { instance, module }; instantiate(module) to the instance alone
    return { instance, module };
  };
  WebAssembly.instantiate = instantiate as typeof WebAssembly.instantiate;
  try {
    const result = await body({ marker: MARKER, memory: () => memory });
    if (!used)
      throw new Error(
        'onnxruntime-web did not instantiate its wasm through the precompiled module (was it initialised before?)',
      );
    return { result, memory };
  } finally {
    WebAssembly.instantiate = original;
  }
}
