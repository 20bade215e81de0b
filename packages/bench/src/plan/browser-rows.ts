import type { PageEngineName } from '../browser/page/api.ts';
import type { ModelFormat } from '../runners/runner.ts';
import type { EngineDeclaration } from './catalog.ts';
import { oneAndAllCores } from './thread-counts.ts';

/** Switches the WebGPU rows need: Chromium on Linux offers WebGPU only behind this one. */
const WEBGPU_FLAGS = '--enable-unsafe-webgpu';
const WEBGPU = { backend: 'webgpu', flags: WEBGPU_FLAGS };

/** A page row's options: what browser/page/engines.ts hands the engine. */
interface PageRowOptions {
  readonly backend: string;
  readonly threads?: number;
  readonly simd?: boolean;
  readonly flags?: string;
  readonly int8?: true;
}

interface WasmRowOptions {
  /** tfjs's SIMD build (true) or its plain one (false); the other engines pick their own */
  readonly simd?: boolean;
  /** the id (less `browser-` and the thread suffix) of the float32 rows these int8 rows compare with */
  readonly int8Of?: string;
}

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

/** A page row: `browser-${id}`, labelled "... (browser)", run by runners/browser.ts on `engine`'s model. */
function row(
  id: string,
  label: string,
  engine: PageEngineName,
  options: PageRowOptions,
  extra: Partial<EngineDeclaration> = {},
): EngineDeclaration {
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
    versionPackages: [...page.versionPackages, ...(engine === 'tfjs' ? [TFJS_BACKEND_PACKAGE[options.backend]!] : [])],
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.backend === 'wasm' ? { wasmArithmetic: options.int8 ? 'int8' : 'float32' } : {}),
    ...extra,
  };
}

/** The same engines in a web page (headless Chromium): runners/browser.ts drives the bench's page. */
export function browserEntries(cores: number): EngineDeclaration[] {
  /**
   * A wasm row on one thread and one on every core (`${id}-1t`, `${id}-all`); with `int8Of`, the int8 rows beside
   * the float32 rows `${int8Of}-1t` and `${int8Of}-all` (measured by --full only).
   */
  const wasmRows = (id: string, label: string, engine: PageEngineName, { simd, int8Of }: WasmRowOptions = {}) =>
    oneAndAllCores(cores).map(({ suffix, threads, count }) =>
      row(
        `${id}-${suffix}`,
        `${label} ${count}`,
        engine,
        {
          backend: 'wasm',
          ...(simd === undefined ? {} : { simd }),
          threads,
          ...(int8Of ? { int8: true as const } : {}),
        },
        int8Of ? { int8Of: `browser-${int8Of}-${suffix}`, extended: true } : {},
      ),
    );
  return [
    // tfjs would take half of navigator.hardwareConcurrency: the page sets the count explicitly
    ...wasmRows('tfjs-wasm-simd', 'tfjs wasm SIMD', 'tfjs', { simd: true }),
    row('tfjs-wasm-plain', 'tfjs wasm plain', 'tfjs', { backend: 'wasm', simd: false, threads: 1 }, { extended: true }),
    row('tfjs-webgl', 'tfjs webgl', 'tfjs', { backend: 'webgl' }),
    // WebGPU in headless Chromium without a GPU is SwiftShader: seconds per 224 px image
    row('tfjs-webgpu', 'tfjs webgpu', 'tfjs', WEBGPU, { extended: true }),
    ...wasmRows('onnxruntime-web', 'onnxruntime-web wasm', 'onnxruntime-web'),
    row('onnxruntime-web-webgpu', 'onnxruntime-web webgpu', 'onnxruntime-web', WEBGPU, { extended: true }),
    ...wasmRows('onnxruntime-web-int8', 'onnxruntime-web wasm int8', 'onnxruntime-web', { int8Of: 'onnxruntime-web' }),
    // LiteRT.js: its single-threaded build (relaxed SIMD) through the core's loader, its threaded build in the
    // cross-origin-isolated page, WebGPU on the browser's adapter.
    ...wasmRows('litert-wasm', 'LiteRT.js wasm', 'litert'),
    row('litert-webgpu', 'LiteRT.js webgpu', 'litert', WEBGPU, { extended: true }),
    ...wasmRows('litert-wasm-int8', 'LiteRT.js wasm int8', 'litert', { int8Of: 'litert-wasm' }),
  ];
}
