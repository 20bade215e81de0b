// The int8 edge engine: the calibrated QDQ model (`nin export-onnx --int8`) on onnxruntime-web's wasm backend
// (SIMD, one thread, no proxy worker), behind the same EdgeClassifier as the tfjs engine. No tfjs is imported:
// the core's tfjs-free entry points give the preprocessing, the architecture facts and the softmax.
import * as ort from 'onnxruntime-web/wasm';
import { NIN_ONNX_INPUT, NIN_ONNX_OUTPUT, ONNX_ACCURACY_KEY, readOnnxMetadata } from '@nin-bench/core-nin/onnx';
import type { EdgeClassifier } from './classifier.ts';
import {
  ExportedModelError,
  checkInputSize,
  readInt8ModelFacts,
  type ExportedModelFacts,
  type ExportedModelFormat,
} from './exported-model-facts.ts';
import { int8EdgeClassifier } from './int8-classifier.ts';
import { withPrecompiledWasm } from './ort-wasm.ts';

/** onnxruntime-web's binary as the Worker imports it (`onnxruntime-web/ort-wasm-simd-threaded.wasm`). */
export const ORT_WASM_BINARY = 'ort-wasm-simd-threaded.wasm';

const ONNX_FORMAT: ExportedModelFormat = {
  name: 'ONNX',
  int8Export: 'nin export-onnx --int8',
  accuracyKey: ONNX_ACCURACY_KEY,
};

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
): ExportedModelFacts & { inputSize: number } {
  const meta = readOnnxMetadata(model);
  const inputSize = Number(meta.input_size);
  if (!Number.isInteger(inputSize))
    throw new ExportedModelError(
      'the bundled ONNX model has no input_size metadata (was it written by nin export-onnx?)',
    );
  const facts = readInt8ModelFacts(meta, ONNX_FORMAT);
  checkInputSize(expectedInputSize, inputSize, ONNX_FORMAT);
  return { ...facts, inputSize };
}

/**
 * An inference session on the model: the first one of the isolate starts onnxruntime-web on the precompiled module
 * (and keeps its memory for wasmHeapBytes), later ones reuse that runtime. Refuses a graph with other input/output.
 */
async function createSession(options: LoadOnnxEdgeClassifierOptions): Promise<ort.InferenceSession> {
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
    const found = `${session.inputNames.join(',')} -> ${session.outputNames.join(',')}`;
    throw new ExportedModelError(
      `the bundled ONNX model's input/output are ${found}, not ${NIN_ONNX_INPUT} -> ${NIN_ONNX_OUTPUT}`,
    );
  }
  return session;
}

/**
 * Starts onnxruntime-web on the precompiled module (once per isolate), loads the int8 model, runs one warm-up
 * pass, and classifies 28x28 images with the core's preprocessing. Runtime-agnostic: the Worker passes the
 * module wrangler compiled, Node tests one compiled from the file.
 */
export async function loadOnnxEdgeClassifier(options: LoadOnnxEdgeClassifierOptions): Promise<EdgeClassifier> {
  const { inputSize, ...facts } = describeModel(options.model, options.expectedInputSize);
  const session = await createSession(options);
  const pass = async (input: Float32Array, m: number): Promise<Float32Array> => {
    const feed = new ort.Tensor('float32', input, [m, 1, inputSize, inputSize]);
    const out = await session.run({ [NIN_ONNX_INPUT]: feed }, [NIN_ONNX_OUTPUT]);
    return out[NIN_ONNX_OUTPUT].data as Float32Array;
  };
  return int8EdgeClassifier({
    file: options.model,
    inputSize,
    facts,
    pass,
    forwardBatch: options.forwardBatch,
    now: options.now,
    engine: {
      name: 'onnxruntime-int8',
      runtime: `onnxruntime-web ${ort.env.versions.web ?? ''} wasm (SIMD, 1 thread)`.replace('  ', ' '),
      compute: 'int8 (calibrated QDQ model: int8 per-channel weights, uint8 activations; QLinearConv)',
      modelFormat: 'onnx',
    },
    backend: {
      spec: 'onnxruntime-web:wasm',
      simd: true,
      details: { binary: ORT_WASM_BINARY, threads: 1, executionProvider: 'wasm' },
    },
    wasmHeapBytes: () => runtimeMemory?.buffer.byteLength ?? null,
  });
}
