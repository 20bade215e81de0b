import type { PageEngineName } from '../browser/page/api.ts';
import type { ModelFormat } from '../runners/runner.ts';
import type { EngineDeclaration } from './catalog.ts';

/** Switches the WebGPU rows need: Chromium on Linux offers WebGPU only behind this one. */
const WEBGPU_FLAGS = '--enable-unsafe-webgpu';

/**
 * The page engines (browser/page/engines.ts runs the one a row's `options.engine` names) with the model file each
 * takes and the packages it bundles. A new browser engine: a page module, a line in browser/page/engines.ts and
 * one here, then its rows below.
 */
const PAGE_ENGINES = {
  tfjs: { float32: 'safetensors', int8: null, versionPackages: ['@tensorflow/tfjs-core'] },
  'onnxruntime-web': { float32: 'onnx', int8: 'onnx-int8', versionPackages: ['onnxruntime-web'] },
  litert: { float32: 'tflite', int8: 'tflite-int8', versionPackages: ['@litertjs/core'] },
} as const satisfies Record<
  PageEngineName,
  { float32: ModelFormat; int8: ModelFormat | null; versionPackages: string[] }
>;

/** tfjs's packages per backend (the page bundles the backend it runs). */
const TFJS_BACKEND_PACKAGE: Readonly<Record<string, string>> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

/** The same engines in a web page (headless Chromium): runners/browser.ts drives the bench's page. */
export function browserEntries(cores: number): EngineDeclaration[] {
  const row = (
    id: string,
    label: string,
    engine: PageEngineName,
    options: { backend: string; threads?: number; simd?: boolean; flags?: string; int8?: true },
    extra: Partial<EngineDeclaration> = {},
  ): EngineDeclaration => {
    const page = PAGE_ENGINES[engine];
    const model = options.int8 ? page.int8 : page.float32;
    if (!model) throw new Error(`${engine} has no int8 model in a page`);
    return {
      id: `browser-${id}`,
      label: `${label} (browser)`,
      engine,
      runner: 'browser.ts',
      options: { engine, ...options },
      model,
      runsIn: 'browser',
      portable: true,
      versionPackages: [
        ...page.versionPackages,
        ...(engine === 'tfjs' ? [TFJS_BACKEND_PACKAGE[options.backend]!] : []),
      ],
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.backend === 'wasm' ? { wasmArithmetic: options.int8 ? 'int8' : 'float32' } : {}),
      ...extra,
    };
  };
  return [
    row('tfjs-wasm-simd-1t', 'tfjs wasm SIMD 1 thread', 'tfjs', { backend: 'wasm', simd: true, threads: 1 }),
    // tfjs would take half of navigator.hardwareConcurrency: the page sets the count explicitly
    row('tfjs-wasm-simd-all', `tfjs wasm SIMD ${cores} threads`, 'tfjs', {
      backend: 'wasm',
      simd: true,
      threads: cores,
    }),
    row('tfjs-wasm-plain', 'tfjs wasm plain', 'tfjs', { backend: 'wasm', simd: false, threads: 1 }, { extended: true }),
    row('tfjs-webgl', 'tfjs webgl', 'tfjs', { backend: 'webgl' }),
    // WebGPU in headless Chromium without a GPU is SwiftShader: seconds per 224 px image
    row('tfjs-webgpu', 'tfjs webgpu', 'tfjs', { backend: 'webgpu', flags: WEBGPU_FLAGS }, { extended: true }),
    row('onnxruntime-web-1t', 'onnxruntime-web wasm 1 thread', 'onnxruntime-web', { backend: 'wasm', threads: 1 }),
    row('onnxruntime-web-all', `onnxruntime-web wasm ${cores} threads`, 'onnxruntime-web', {
      backend: 'wasm',
      threads: cores,
    }),
    row(
      'onnxruntime-web-webgpu',
      'onnxruntime-web webgpu',
      'onnxruntime-web',
      { backend: 'webgpu', flags: WEBGPU_FLAGS },
      { extended: true },
    ),
    row(
      'onnxruntime-web-int8-1t',
      'onnxruntime-web wasm int8 1 thread',
      'onnxruntime-web',
      { backend: 'wasm', threads: 1, int8: true },
      { int8Of: 'browser-onnxruntime-web-1t', extended: true },
    ),
    row(
      'onnxruntime-web-int8-all',
      `onnxruntime-web wasm int8 ${cores} threads`,
      'onnxruntime-web',
      { backend: 'wasm', threads: cores, int8: true },
      { int8Of: 'browser-onnxruntime-web-all', extended: true },
    ),
    // LiteRT.js: its single-threaded build (relaxed SIMD) through the core's loader, its threaded build in the
    // cross-origin-isolated page, WebGPU on the browser's adapter.
    row('litert-wasm-1t', 'LiteRT.js wasm 1 thread', 'litert', { backend: 'wasm', threads: 1 }),
    row('litert-wasm-all', `LiteRT.js wasm ${cores} threads`, 'litert', { backend: 'wasm', threads: cores }),
    row('litert-webgpu', 'LiteRT.js webgpu', 'litert', { backend: 'webgpu', flags: WEBGPU_FLAGS }, { extended: true }),
    row(
      'litert-wasm-int8-1t',
      'LiteRT.js wasm int8 1 thread',
      'litert',
      { backend: 'wasm', threads: 1, int8: true },
      { int8Of: 'browser-litert-wasm-1t', extended: true },
    ),
    row(
      'litert-wasm-int8-all',
      `LiteRT.js wasm int8 ${cores} threads`,
      'litert',
      { backend: 'wasm', threads: cores, int8: true },
      { int8Of: 'browser-litert-wasm-all', extended: true },
    ),
  ];
}
