import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError, resetTfjsBackend, type BackendProvider } from './registry.ts';

/** The binaries tfjs-backend-wasm ships, by the file name it asks for. */
export const WASM_BINARIES = {
  plain: 'tfjs-backend-wasm.wasm',
  simd: 'tfjs-backend-wasm-simd.wasm',
  'threaded-simd': 'tfjs-backend-wasm-threaded-simd.wasm',
} as const;
export type WasmVariant = 'simd' | 'plain';

/**
 * Where the wasm binaries come from. Node reads bytes from the package; Cloudflare Workers forbid compiling wasm
 * from bytes, so there the bundler hands us precompiled `WebAssembly.Module`s (a `*.wasm` import).
 */
export type WasmBinarySource =
  | { readonly kind: 'bytes'; read(file: string): Promise<Uint8Array> }
  | { readonly kind: 'modules'; readonly modules: Partial<Record<WasmVariant, WebAssembly.Module>> };

// A tiny module that uses a SIMD instruction: the same probe tfjs-backend-wasm uses for WASM_HAS_SIMD_SUPPORT.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

export function runtimeHasWasmSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Size in bytes of the active tfjs-backend-wasm's linear memory (null when another backend is active). It grows
 * to the largest working set a forward pass needed and never shrinks: what a memory-capped runtime counts.
 */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.buffer.byteLength : null;
}

const URL_PREFIX = 'nin-wasm:';

/** tfjs-backend-wasm (XNNPACK kernels) with the SIMD or the plain binary; threads are never used (see README). */
export function createWasmBackend(source: WasmBinarySource): BackendProvider {
  return {
    name: 'wasm',
    variants: ['simd', 'plain'],
    async activate(requested) {
      const variant = (requested ?? 'simd') as WasmVariant;
      if (variant === 'simd' && !runtimeHasWasmSimd())
        throw new BackendUnavailableError('wasm:simd', 'this runtime has no WebAssembly SIMD');
      if (source.kind === 'modules' && !source.modules[variant]) {
        throw new BackendUnavailableError(
          `wasm:${variant}`,
          `no precompiled ${WASM_BINARIES[variant]} module was bundled`,
        );
      }
      // The binary is chosen from these flags when the backend initialises; pin them so the variant is ours.
      tf.env().set('WASM_HAS_SIMD_SUPPORT', variant === 'simd');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      resetTfjsBackend('wasm');
      const requestedFiles: string[] = [];
      setWasmPaths(
        Object.fromEntries(Object.values(WASM_BINARIES).map((file) => [file, URL_PREFIX + file])) as Record<
          string,
          string
        >,
        true,
      );
      const restore = installWasmLoader(source, requestedFiles);
      try {
        const ok = await tf.setBackend('wasm');
        if (!ok) throw new BackendUnavailableError(`wasm:${variant}`, 'tfjs-backend-wasm failed to initialise');
      } finally {
        restore();
      }
      const loaded = requestedFiles.at(-1) ?? 'unknown';
      if (loaded !== WASM_BINARIES[variant]) {
        throw new BackendUnavailableError(
          `wasm:${variant}`,
          `tfjs-backend-wasm loaded ${loaded} instead of ${WASM_BINARIES[variant]}`,
        );
      }
      return {
        name: 'wasm',
        variant,
        tfjsBackend: tf.getBackend(),
        details: { binary: loaded, simd: variant === 'simd', threads: 1, version: tf.version_core },
      };
    },
  };
}

/**
 * tfjs-backend-wasm fetches its binary through the platform's `fetch` and instantiates the bytes. We answer
 * that fetch ourselves (recording which binary was asked for); for precompiled modules we also wrap
 * `WebAssembly.instantiate` for the duration of initialisation, so that a Module goes through the path that
 * would otherwise compile bytes. Returns the undo.
 */
function installWasmLoader(source: WasmBinarySource, requestedFiles: string[]): () => void {
  const platform = tf.env().platform as { fetch: (path: string, init?: RequestInit) => Promise<Response> } | undefined;
  if (!platform) throw new BackendUnavailableError('wasm', 'tfjs has no platform here');
  // In workerd (and browsers) `fetch` is a method of tfjs's PlatformBrowser prototype: shadow it with an own
  // property and delete that afterwards, rather than leaving a copy of the original behind.
  const hadOwnFetch = Object.prototype.hasOwnProperty.call(platform, 'fetch');
  const originalFetch = platform.fetch;
  platform.fetch = async (path: string, init?: RequestInit) => {
    if (!path.startsWith(URL_PREFIX)) return originalFetch.call(platform, path, init);
    const file = path.slice(URL_PREFIX.length);
    requestedFiles.push(file);
    if (source.kind === 'bytes') return new Response((await source.read(file)) as Uint8Array<ArrayBuffer>);
    const variant = (Object.keys(WASM_BINARIES) as (keyof typeof WASM_BINARIES)[]).find(
      (v) => WASM_BINARIES[v] === file,
    );
    const module = variant && variant !== 'threaded-simd' ? source.modules[variant] : undefined;
    if (!module) return new Response(null, { status: 404 });
    return { ok: true, arrayBuffer: async () => module } as unknown as Response;
  };
  const originalInstantiate = WebAssembly.instantiate;
  if (source.kind === 'modules') {
    (WebAssembly as { instantiate: unknown }).instantiate = async (what: unknown, imports?: WebAssembly.Imports) => {
      if (what instanceof WebAssembly.Module)
        return { module: what, instance: await originalInstantiate(what, imports) };
      return originalInstantiate(what as BufferSource, imports);
    };
  }
  return () => {
    if (hadOwnFetch) platform.fetch = originalFetch;
    else delete (platform as { fetch?: unknown }).fetch;
    (WebAssembly as { instantiate: unknown }).instantiate = originalInstantiate;
  };
}
