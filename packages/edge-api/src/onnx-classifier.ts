// The int8 edge engine: the calibrated QDQ model (`nin export-onnx --int8`) on onnxruntime-web's wasm backend
// (SIMD, one thread, no proxy worker), behind the same EdgeClassifier as the tfjs engine. No tfjs is imported:
// the core's tfjs-free entry points give the preprocessing, the architecture facts and the softmax.
import * as ort from 'onnxruntime-web/wasm';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, preprocessImages } from '@nin-bench/core-nin/data';
// The tfjs-free subpaths: `@nin-bench/core-nin/model` also exports the tfjs forward pass, and importing it puts
// tfjs-core's side-effect modules (about 100 KiB) into this bundle even though nothing here calls them.
import { NUM_CLASSES, layerShapes, multiplyAdds, parameterCount } from '@nin-bench/core-nin/model/architecture';
import { predictionFromLogits } from '@nin-bench/core-nin/model/prediction';
import { NIN_ONNX_INPUT, NIN_ONNX_OUTPUT, ONNX_ACCURACY_KEY, readOnnxMetadata } from '@nin-bench/core-nin/onnx';
import { MANIFEST_KEY, parseManifest, sha256Hex, type NinManifest } from '@nin-bench/core-nin/weights';
import type { EdgeClassifier, EdgeModelInfo } from './classifier.ts';
import { withPrecompiledWasm } from './ort-wasm.ts';

/** onnxruntime-web's binary as the Worker imports it (`onnxruntime-web/ort-wasm-simd-threaded.wasm`). */
export const ORT_WASM_BINARY = 'ort-wasm-simd-threaded.wasm';

export interface LoadOnnxEdgeClassifierOptions {
  /** onnxruntime-web's `ort-wasm-simd-threaded.wasm`, compiled (Workers: by the runtime, from an imported .wasm) */
  readonly wasm: WebAssembly.Module;
  /** the int8 ONNX model file */
  readonly model: Uint8Array;
  /** when set, the model's input size (its `input_size` metadata) must match */
  readonly expectedInputSize?: number;
  /** images per forward pass (default: the whole request); see EDGE_LIMITS.forwardBatch */
  readonly forwardBatch?: number;
  readonly now?: () => number;
}

/** The runtime's WebAssembly memory: one runtime per isolate (onnxruntime-web initialises its wasm once). */
let runtimeMemory: WebAssembly.Memory | null = null;
let runtimeReady: Promise<void> | null = null;

/** Reads what the model says about itself and refuses a model that is not the calibrated int8 NiN. */
function describeModel(
  model: Uint8Array,
  expectedInputSize: number | undefined,
): { inputSize: number; manifest: NinManifest | null; testAccuracy: number | null } {
  const meta = readOnnxMetadata(model);
  const inputSize = Number(meta.input_size);
  if (!Number.isInteger(inputSize))
    throw new Error('the bundled ONNX model has no input_size metadata (was it written by nin export-onnx?)');
  if (meta.quantization === undefined)
    throw new Error(
      'the bundled ONNX model is not the int8 one (no quantization metadata): export it with nin export-onnx --int8',
    );
  if (meta.classes !== undefined && meta.classes !== JSON.stringify(FASHION_MNIST_CLASSES))
    throw new Error('the bundled ONNX model has other class names than Fashion-MNIST');
  if (expectedInputSize !== undefined && expectedInputSize !== inputSize)
    throw new Error(`INPUT_SIZE is ${expectedInputSize} but the bundled ONNX model is for ${inputSize} px`);
  const manifest = meta[MANIFEST_KEY] === undefined ? null : parseManifest(meta[MANIFEST_KEY]);
  let testAccuracy: number | null = null;
  if (meta[ONNX_ACCURACY_KEY] !== undefined) {
    const recorded = (JSON.parse(meta[ONNX_ACCURACY_KEY]) as { test?: unknown }).test;
    testAccuracy = typeof recorded === 'number' ? recorded : null;
  }
  return { inputSize, manifest, testAccuracy };
}

/**
 * Starts onnxruntime-web on the precompiled module (once per isolate), loads the int8 model, runs one warm-up
 * pass, and classifies 28x28 images with the core's preprocessing. Runtime-agnostic: the Worker passes the
 * module wrangler compiled, Node tests one compiled from the file.
 */
export async function loadOnnxEdgeClassifier(options: LoadOnnxEdgeClassifierOptions): Promise<EdgeClassifier> {
  const now = options.now ?? (() => performance.now());
  const { inputSize, manifest, testAccuracy } = describeModel(options.model, options.expectedInputSize);
  // Workers have no threads: one wasm thread, and no proxy worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const create = () =>
    ort.InferenceSession.create(options.model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  let session: ort.InferenceSession;
  if (runtimeReady === null) {
    let created: Promise<ort.InferenceSession> | null = null;
    runtimeReady = withPrecompiledWasm(options.wasm, async ({ marker }) => {
      ort.env.wasm.wasmBinary = marker;
      created = create();
      return created;
    }).then(
      ({ memory }) => {
        runtimeMemory = memory;
      },
      (e: unknown) => {
        runtimeReady = null; // a later request may try again
        throw e;
      },
    );
    await runtimeReady;
    session = await created!;
  } else {
    await runtimeReady;
    session = await create();
  }
  if (!session.inputNames.includes(NIN_ONNX_INPUT) || !session.outputNames.includes(NIN_ONNX_OUTPUT)) {
    throw new Error(
      `the bundled ONNX model's input/output are ${session.inputNames.join(',')} -> ${session.outputNames.join(',')}, not ${NIN_ONNX_INPUT} -> ${NIN_ONNX_OUTPUT}`,
    );
  }
  const side = inputSize * inputSize;
  const forward = async (input: Float32Array, n: number): Promise<Float32Array> => {
    const step = Math.max(1, options.forwardBatch ?? n);
    const logits = new Float32Array(n * NUM_CLASSES);
    for (let start = 0; start < n; start += step) {
      const m = Math.min(step, n - start);
      const feed = new ort.Tensor('float32', input.subarray(start * side, (start + m) * side), [
        m,
        1,
        inputSize,
        inputSize,
      ]);
      const out = await session.run({ [NIN_ONNX_INPUT]: feed }, [NIN_ONNX_OUTPUT]);
      logits.set(out[NIN_ONNX_OUTPUT].data as Float32Array, start * NUM_CLASSES);
    }
    return logits;
  };
  // One pass now, so the first request does not pay for kernel set-up and a broken runtime fails here.
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
    testAccuracy,
    classes: FASHION_MNIST_CLASSES,
    sha256: await sha256Hex(options.model),
    manifest,
  };
  return {
    engine: {
      name: 'onnxruntime-int8',
      runtime: `onnxruntime-web ${ort.env.versions.web ?? ''} wasm (SIMD, 1 thread)`.replace('  ', ' '),
      compute: 'int8 (calibrated QDQ model: int8 per-channel weights, uint8 activations; QLinearConv)',
      modelFormat: 'onnx',
    },
    model,
    backend: {
      spec: 'onnxruntime-web:wasm',
      simd: true,
      details: { binary: ORT_WASM_BINARY, threads: 1, executionProvider: 'wasm' },
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
    wasmHeapBytes: () => runtimeMemory?.buffer.byteLength ?? null,
  };
}
