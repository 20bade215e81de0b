// The LiteRT.js edge engine: the fully integer `.tflite` NiN (`nin export-tflite --int8`) run by LiteRT.js (the TFLite
// runtime, XNNPACK in WebAssembly, one thread) through the core's loader, behind the same EdgeClassifier as the other
// engines. The loader is handed the glue and the wasm (a Worker: the module workerd compiled) with the build pinned,
// since LiteRT's own build detection compiles wasm from bytes, which Workers forbid. No tfjs or onnxruntime here.
import {
  createLiteRtRuntime,
  loadLiteRtClassifier,
  type LiteRtBuild,
  type LiteRtGlue,
  type LiteRtRuntime,
} from '@nin-bench/core-nin/litert';
import { NUM_CLASSES } from '@nin-bench/core-nin/model/architecture';
// The schema-free reader: the core's `tflite` entry point would bundle the flatc-generated schema (~440 KiB).
import { TFLITE_ACCURACY_KEY, readTfliteMetadata } from '@nin-bench/core-nin/tflite/read-metadata';
import type { EdgeClassifier } from './classifier.ts';
import {
  ExportedModelError,
  checkInputSize,
  readInt8ModelFacts,
  type ExportedModelFormat,
} from './exported-model-facts.ts';
import { int8EdgeClassifier } from './int8-classifier.ts';

/** LiteRT.js's one-thread builds, as the Worker entries import them (`@litertjs/core/wasm/<file>.wasm`). */
export const LITERT_WASM_BINARIES: Readonly<Record<LiteRtBuild, string>> = {
  relaxed: 'litert_wasm_internal.wasm',
  compat: 'litert_wasm_compat_internal.wasm',
};

const TFLITE_FORMAT: ExportedModelFormat = {
  name: '.tflite',
  int8Export: 'nin export-tflite --int8',
  accuracyKey: TFLITE_ACCURACY_KEY,
};

export interface LoadLiteRtEdgeClassifierOptions {
  /** the glue's factory of `build` (a Worker: the ES-module copy of `litert_wasm_internal.js`) */
  readonly glue: LiteRtGlue;
  /** that build's wasm, compiled (Workers: by the runtime, from an imported .wasm) */
  readonly wasm: WebAssembly.Module;
  /** the build the glue and wasm are: 'relaxed' (relaxed SIMD, the fast one; workerd has it) or 'compat' */
  readonly build: LiteRtBuild;
  /** the fully integer `.tflite` model (`nin export-tflite --int8`: float32 in and out, int8 inside) */
  readonly model: Uint8Array;
  /** when set, the model's input size (its input tensor's side) must match */
  readonly expectedInputSize?: number;
  /** images per forward pass: the NiN `.tflite` models take one image a run, so this only bounds a request's loop */
  readonly forwardBatch?: number;
  readonly now?: () => number;
}

/**
 * One LiteRT runtime per wasm module and isolate: a runtime is a wasm instance with its own memory, and every
 * classifier of the isolate (a fresh Worker in the tests, a second model) fits in one.
 */
const runtimes = new WeakMap<WebAssembly.Module, Promise<LiteRtRuntime>>();

function runtimeFor(options: LoadLiteRtEdgeClassifierOptions): Promise<LiteRtRuntime> {
  let runtime = runtimes.get(options.wasm);
  if (runtime === undefined) {
    runtime = createLiteRtRuntime({ glue: options.glue, wasm: options.wasm, build: options.build });
    // a later request may try again
    runtime.catch(() => runtimes.delete(options.wasm));
    runtimes.set(options.wasm, runtime);
  }
  return runtime;
}

/**
 * Starts LiteRT.js on the given glue and precompiled wasm (once per isolate), loads the `.tflite` model, runs one
 * warm-up pass, and classifies 28x28 images with the core's preprocessing. Runtime-agnostic: the Worker passes the
 * module wrangler compiled, Node the one it compiled from the installed file.
 */
export async function loadLiteRtEdgeClassifier(options: LoadLiteRtEdgeClassifierOptions): Promise<EdgeClassifier> {
  // the input size is the input tensor's (checked below), so only what the graph does not say is read here
  const facts = readInt8ModelFacts(readTfliteMetadata(options.model), TFLITE_FORMAT);
  const runtime = await runtimeFor(options);
  const nin = await loadLiteRtClassifier(runtime, options.model);
  const inputSize = nin.inputSize;
  try {
    if (nin.numClasses !== NUM_CLASSES)
      throw new ExportedModelError(
        `the bundled .tflite model gives ${nin.numClasses} classes, not Fashion-MNIST's ${NUM_CLASSES}`,
      );
    checkInputSize(options.expectedInputSize, inputSize, TFLITE_FORMAT);
  } catch (e) {
    nin.dispose();
    throw e;
  }
  const simd = runtime.build === 'relaxed' ? 'relaxed SIMD' : 'SIMD';
  return int8EdgeClassifier({
    file: options.model,
    inputSize,
    facts,
    pass: (input, m) => nin.logits(input, m),
    forwardBatch: options.forwardBatch,
    now: options.now,
    engine: {
      name: 'litert-int8',
      runtime: `LiteRT.js ${runtime.version} wasm (XNNPACK, ${simd}, ${runtime.build} build, 1 thread)`,
      compute: 'int8 (fully integer .tflite run by XNNPACK as QS8: int8 per-channel weights, int8 activations)',
      modelFormat: 'tflite',
    },
    backend: {
      spec: `litert:${runtime.build}`,
      simd: true,
      details: {
        binary: LITERT_WASM_BINARIES[runtime.build],
        build: runtime.build,
        threads: 1,
        accelerator: 'wasm (XNNPACK)',
      },
    },
    wasmHeapBytes: () => runtime.memoryBytes(),
  });
}
