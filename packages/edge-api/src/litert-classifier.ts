// The LiteRT.js edge engine: the fully integer `.tflite` NiN (`nin export-tflite --int8`) run by LiteRT.js (the TFLite
// runtime, XNNPACK in WebAssembly, one thread) through the core's loader, behind the same EdgeClassifier as the other
// engines. The loader is handed the glue and the wasm (a Worker: the module workerd compiled) with the build pinned,
// since LiteRT's own build detection compiles wasm from bytes, which Workers forbid. No tfjs or onnxruntime here.
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, preprocessImages } from '@nin-bench/core-nin/data';
import {
  createLiteRtRuntime,
  loadLiteRtClassifier,
  type LiteRtBuild,
  type LiteRtGlue,
  type LiteRtRuntime,
} from '@nin-bench/core-nin/litert';
import { NUM_CLASSES, layerShapes, multiplyAdds, parameterCount } from '@nin-bench/core-nin/model/architecture';
import { predictionFromLogits } from '@nin-bench/core-nin/model/prediction';
import { MANIFEST_KEY, parseManifest, sha256Hex, type NinManifest } from '@nin-bench/core-nin/weights';
import type { EdgeClassifier, EdgeModelInfo } from './classifier.ts';
import { readTfliteMetadataEntries } from './tflite-metadata.ts';

/** The `metadata` entry `nin eval --tflite F --record` writes (core tflite's TFLITE_ACCURACY_KEY). */
const TFLITE_ACCURACY_KEY = 'accuracy';

/** LiteRT.js's one-thread builds, as the Worker entries import them (`@litertjs/core/wasm/<file>.wasm`). */
export const LITERT_WASM_BINARIES: Readonly<Record<LiteRtBuild, string>> = {
  relaxed: 'litert_wasm_internal.wasm',
  compat: 'litert_wasm_compat_internal.wasm',
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
 * Reads what the model says about itself (its `metadata`) and refuses one that is not the int8 NiN for Fashion-MNIST.
 * The input size is the input tensor's (checked by the caller), so only what the graph does not say is read here.
 */
function describeModel(model: Uint8Array): { manifest: NinManifest | null; testAccuracy: number | null } {
  const meta = readTfliteMetadataEntries(model);
  if (meta.quantization === undefined)
    throw new Error(
      'the bundled .tflite model is not the int8 one (no quantization metadata): export it with nin export-tflite --int8',
    );
  if (meta.classes !== undefined && meta.classes !== JSON.stringify(FASHION_MNIST_CLASSES))
    throw new Error('the bundled .tflite model has other class names than Fashion-MNIST');
  const manifest = meta[MANIFEST_KEY] === undefined ? null : parseManifest(meta[MANIFEST_KEY]);
  let testAccuracy: number | null = null;
  if (meta[TFLITE_ACCURACY_KEY] !== undefined) {
    const recorded = (JSON.parse(meta[TFLITE_ACCURACY_KEY]) as { test?: unknown }).test;
    testAccuracy = typeof recorded === 'number' ? recorded : null;
  }
  return { manifest, testAccuracy };
}

/**
 * Starts LiteRT.js on the given glue and precompiled wasm (once per isolate), loads the `.tflite` model, runs one
 * warm-up pass, and classifies 28x28 images with the core's preprocessing. Runtime-agnostic: the Worker passes the
 * module wrangler compiled, Node the one it compiled from the installed file.
 */
export async function loadLiteRtEdgeClassifier(options: LoadLiteRtEdgeClassifierOptions): Promise<EdgeClassifier> {
  const now = options.now ?? (() => performance.now());
  const { manifest, testAccuracy } = describeModel(options.model);
  const runtime = await runtimeFor(options);
  const nin = await loadLiteRtClassifier(runtime, options.model);
  const inputSize = nin.inputSize;
  if (nin.numClasses !== NUM_CLASSES) {
    nin.dispose();
    throw new Error(`the bundled .tflite model gives ${nin.numClasses} classes, not Fashion-MNIST's ${NUM_CLASSES}`);
  }
  if (options.expectedInputSize !== undefined && options.expectedInputSize !== inputSize) {
    nin.dispose();
    throw new Error(`INPUT_SIZE is ${options.expectedInputSize} but the bundled .tflite model is for ${inputSize} px`);
  }
  const side = inputSize * inputSize;
  const forward = async (input: Float32Array, n: number): Promise<Float32Array> => {
    const step = Math.max(1, options.forwardBatch ?? n);
    const logits = new Float32Array(n * NUM_CLASSES);
    for (let start = 0; start < n; start += step) {
      const m = Math.min(step, n - start);
      logits.set(await nin.logits(input.subarray(start * side, (start + m) * side), m), start * NUM_CLASSES);
    }
    return logits;
  };
  // One pass now, so the first request does not pay for XNNPACK's set-up and a broken runtime fails here.
  await forward(new Float32Array(side), 1);
  const model: EdgeModelInfo = {
    architecture: {
      name: 'Network in Network (NiN)',
      source: "d2l.ai's PyTorch NiN, 4 NiN blocks + global average pool",
      layers: layerShapes(inputSize),
    },
    parameterCount: manifest?.parameterCount ?? parameterCount(),
    multiplyAdds: multiplyAdds(inputSize),
    inputSize,
    weightPrecision: 'int8',
    // what `nin eval --tflite F --record` wrote into the model (all 10,000 test images); null before that
    testAccuracy,
    classes: FASHION_MNIST_CLASSES,
    sha256: await sha256Hex(options.model),
    manifest,
  };
  const binary = LITERT_WASM_BINARIES[runtime.build];
  return {
    engine: {
      name: 'litert-int8',
      runtime: `LiteRT.js ${runtime.version} wasm (XNNPACK, ${runtime.build === 'relaxed' ? 'relaxed SIMD' : 'SIMD'}, ${runtime.build} build, 1 thread)`,
      compute: 'int8 (fully integer .tflite run by XNNPACK as QS8: int8 per-channel weights, int8 activations)',
      modelFormat: 'tflite',
    },
    model,
    backend: {
      spec: `litert:${runtime.build}`,
      simd: true,
      details: { binary, build: runtime.build, threads: 1, accelerator: 'wasm (XNNPACK)' },
    },
    async classify(images, count, topK) {
      if (images.length !== count * FASHION_MNIST_PIXELS)
        throw new RangeError(`expected ${count} 28x28 images, got ${images.length} bytes`);
      const t0 = now();
      const input = preprocessImages(images, inputSize);
      const t1 = now();
      const logits = await forward(input, count);
      const t2 = now();
      const predictions = Array.from({ length: count }, (_, i) => {
        const row = logits.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
        return { ...predictionFromLogits(row, topK), logits: Array.from(row) };
      });
      return { predictions, timing: { preprocessMs: t1 - t0, inferenceMs: t2 - t1 } };
    },
    wasmHeapBytes: () => runtime.memoryBytes(),
  };
}
