// tfjs in the bench's page: one backend per page (each backend package registers itself when imported, so only
// the row's own is imported), running the core's NinClassifier, the model the CLI, the Node rows and the edge run.
// The backend is brought up here rather than through the core's registry, which serves Node and workerd: the
// threaded wasm binary, WebGL and WebGPU in a page are browser-only.
import * as tf from '@tensorflow/tfjs-core';
import { NinClassifier } from '@nin-bench/core-nin/model';
import { TFJS_WASM_PATH, type PageEngineOptions, type PageInit } from './api.ts';
import type { PageEngine } from './engine.ts';
import { webGpuAdapterFacts } from './webgpu.ts';

/** tfjs-backend-wasm on the row's binary (plain, SIMD or threaded SIMD) and thread count, checked once it is up. */
async function bringUpWasm(options: PageEngineOptions): Promise<Record<string, string | number | boolean>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const simd = options.simd !== false;
  const threads = options.threads ?? 1;
  if (threads > 1 && !crossOriginIsolated) throw new Error('threads need a cross-origin-isolated page (COOP + COEP)');
  // The binary is chosen from these flags when the backend initialises: pin them so the row is what it says.
  tf.env().set('WASM_HAS_SIMD_SUPPORT', simd);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  // tfjs would use half of navigator.hardwareConcurrency: the row's count is set explicitly. And tfjs-backend-wasm
  // caps its XNNPACK pool at hardwareConcurrency / 2 (backend.cc assumes two hardware threads per core), read when
  // the wasm module starts: on a 2-core machine that is 1 whatever setThreadsCount says. So a threaded row reports
  // twice its count to the page before the backend starts, and checks the pool it got (poolThreads below).
  if (threads > 1) {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: threads * 2, configurable: true });
    wasm.setThreadsCount(threads);
  }
  wasm.setWasmPaths(TFJS_WASM_PATH);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialise');
  const expected =
    threads > 1
      ? 'tfjs-backend-wasm-threaded-simd.wasm'
      : simd
        ? 'tfjs-backend-wasm-simd.wasm'
        : 'tfjs-backend-wasm.wasm';
  // the binary the page actually fetched, not the one the flags should have picked
  const binary =
    performance
      .getEntriesByType('resource')
      .map((e) => e.name.slice(e.name.lastIndexOf('/') + 1))
      .filter((n) => n.endsWith('.wasm'))
      .at(-1) ?? 'unknown';
  if (binary !== expected) throw new Error(`tfjs-backend-wasm loaded ${binary} instead of ${expected}`);
  // what XNNPACK's thread pool holds, as tfjs read it right after creating it
  const poolThreads = wasm.getThreadsCount();
  if (poolThreads !== threads)
    throw new Error(`tfjs-backend-wasm made a pool of ${poolThreads} threads, not ${threads}`);
  return {
    binary,
    simd: simd || threads > 1,
    threads,
    poolThreads,
    ...(threads > 1 ? { hardwareConcurrencyShown: threads * 2 } : {}),
  };
}

/** tfjs-backend-webgl, with the renderer the page's WebGL context reports. */
async function bringUpWebgl(): Promise<Record<string, string | number | boolean>> {
  await import('@tensorflow/tfjs-backend-webgl');
  if (!(await tf.setBackend('webgl'))) throw new Error('no WebGL context (tfjs-backend-webgl failed to initialise)');
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'unknown';
  return {
    webglVersion: tf.env().getNumber('WEBGL_VERSION'),
    adapter: renderer,
    software: /swiftshader|llvmpipe|software/i.test(renderer),
  };
}

/** tfjs-backend-webgpu on the page's adapter. */
async function bringUpWebgpu(): Promise<Record<string, string | number | boolean>> {
  const adapter = await webGpuAdapterFacts();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu failed to initialise');
  return adapter;
}

function bringUp(options: PageEngineOptions): Promise<Record<string, string | number | boolean>> {
  if (options.backend === 'wasm') return bringUpWasm(options);
  if (options.backend === 'webgl') return bringUpWebgl();
  if (options.backend === 'webgpu') return bringUpWebgpu();
  throw new Error(`unknown tfjs backend "${options.backend}" in the page`);
}

export async function startTfjs(options: PageEngineOptions): Promise<{ init: PageInit; engine: PageEngine }> {
  const t0 = performance.now();
  const details = await bringUp(options);
  await tf.ready();
  const ms = performance.now() - t0;
  let model: NinClassifier | undefined;
  return {
    init: { ms, version: tf.version_core, details: { backend: tf.getBackend(), ...details } },
    engine: {
      async load(bytes, size) {
        model = await NinClassifier.fromSafetensors(bytes, { inputSize: size });
      },
      logits(input, n) {
        if (!model) throw new Error('no model loaded');
        return model.logits(input, n);
      },
    },
  };
}
