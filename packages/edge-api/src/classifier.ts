import {
  NinClassifier,
  formatBackend,
  layerShapes,
  multiplyAdds,
  sha256Hex,
  wasmHeapBytes,
  type BackendInfo,
  type BackendRegistry,
  type LayerShape,
  type Prediction,
  type WeightStorage,
} from '@nin-bench/core-nin';
import { classifyEach } from './classify-each.ts';
import type { EdgeEngineInfo } from './engine.ts';

/** What `/model` tells a client about the model being served. */
export interface EdgeModelInfo {
  readonly architecture: { readonly name: string; readonly source: string; readonly layers: readonly LayerShape[] };
  readonly parameterCount: number;
  readonly multiplyAdds: number;
  readonly inputSize: number;
  readonly weightPrecision: WeightStorage;
  /** test-set accuracy recorded by the trainer in the weights' manifest; null when it recorded none */
  readonly testAccuracy: number | null;
  readonly classes: readonly string[];
  /** sha256 of the weights (or ONNX model) file as bundled (what `sha256sum` prints for it) */
  readonly sha256: string;
  /** the trained weights' manifest (for an ONNX model: the float source's, from its `nin_manifest` metadata) */
  readonly manifest: NinClassifier['manifest'];
}

export interface EdgeBackendInfo {
  /** `wasm:simd` */
  readonly spec: string;
  readonly simd: boolean;
  readonly details: BackendInfo['details'];
}

/** One image's answer: class, probabilities, top-k, and the raw logits (for clients that compare models). */
export interface EdgePrediction extends Prediction {
  readonly logits: number[];
}

export interface Classification {
  readonly predictions: EdgePrediction[];
  /** preprocessMs: resize to the model's input; inferenceMs: forward pass and read-back of the logits */
  readonly timing: { readonly preprocessMs: number; readonly inferenceMs: number };
}

/** The one thing the HTTP app needs: a model that classifies 28x28 gray images. */
export interface EdgeClassifier {
  readonly engine: EdgeEngineInfo;
  readonly model: EdgeModelInfo;
  readonly backend: EdgeBackendInfo;
  classify(images: Uint8Array, count: number, topK: number): Promise<Classification>;
  /** bytes of the backend's WebAssembly memory (what counts against a Workers isolate's 128 MB); null when not wasm */
  wasmHeapBytes(): number | null;
}

export interface LoadEdgeClassifierOptions {
  readonly registry: BackendRegistry;
  /** e.g. `wasm:simd` */
  readonly backend: string;
  /** a NiN safetensors file with its manifest */
  readonly weights: Uint8Array;
  /** when set, the file's storage must match (catches a deployment bundling the wrong file) */
  readonly expectedPrecision?: string;
  /** when set, the model's input size (from the manifest) must match */
  readonly expectedInputSize?: number;
  /** images per forward pass (default: the whole request); see EDGE_LIMITS.forwardBatch */
  readonly forwardBatch?: number;
  readonly now?: () => number;
}

/** Activates the backend, verifies and uploads the weights, and runs one warm-up pass. Runtime-agnostic. */
export async function loadEdgeClassifier(options: LoadEdgeClassifierOptions): Promise<EdgeClassifier> {
  const now = options.now ?? (() => performance.now());
  const info = await options.registry.activate(options.backend);
  const nin = await NinClassifier.fromSafetensors(options.weights);
  const manifest = nin.manifest;
  if (!manifest) {
    nin.dispose();
    throw new Error('the bundled weights have no nin manifest (input size, precision and classes are unknown)');
  }
  if (options.expectedPrecision !== undefined && options.expectedPrecision !== manifest.storage) {
    nin.dispose();
    throw new Error(`WEIGHT_PRECISION is ${options.expectedPrecision} but the bundled weights are ${manifest.storage}`);
  }
  if (options.expectedInputSize !== undefined && options.expectedInputSize !== nin.inputSize) {
    nin.dispose();
    throw new Error(`INPUT_SIZE is ${options.expectedInputSize} but the bundled weights are for ${nin.inputSize} px`);
  }
  // One pass now, so the first request does not pay for kernel set-up and a broken backend fails here.
  await nin.logits(new Float32Array(nin.inputSize * nin.inputSize), 1);
  const model: EdgeModelInfo = {
    architecture: {
      name: 'Network in Network (NiN)',
      source: "d2l.ai's PyTorch NiN, 4 NiN blocks + global average pool",
      layers: layerShapes(nin.inputSize),
    },
    parameterCount: manifest.parameterCount,
    multiplyAdds: multiplyAdds(nin.inputSize),
    inputSize: nin.inputSize,
    weightPrecision: manifest.storage,
    testAccuracy: manifest.accuracy?.test ?? null,
    classes: manifest.classes,
    sha256: await sha256Hex(options.weights),
    manifest,
  };
  return {
    engine: {
      name: 'tfjs',
      runtime: `tfjs on ${formatBackend(info)} (1 thread)`,
      compute: `float32 (${manifest.storage} weights, dequantised at load)`,
      modelFormat: 'safetensors',
    },
    model,
    backend: { spec: formatBackend(info), simd: info.details.simd === true, details: info.details },
    // the engine's forward pass, a bounded number of images at a time (EDGE_LIMITS.forwardBatch)
    classify: classifyEach(
      (input, count) => nin.logits(input, count, { maxBatch: options.forwardBatch }),
      nin.inputSize,
      now,
    ),
    wasmHeapBytes,
  };
}
