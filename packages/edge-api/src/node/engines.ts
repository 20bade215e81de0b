// The edge's classifiers under Node, on the files a Worker build bundles: what tests and scripts compare the
// engines with. The Worker gets the same wasm precompiled by workerd; here Node compiles it from the file.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { compileLiteRtWasm, createNodeBackendRegistry, readLiteRtGlue } from '@nin-bench/core-nin/node';
import { loadEdgeClassifier, type EdgeClassifier } from '../classifier.ts';
import { EDGE_LIMITS } from '../limits.ts';
import { loadLiteRtEdgeClassifier } from '../litert-classifier.ts';
import { loadOnnxEdgeClassifier, ORT_WASM_BINARY } from '../onnx-classifier.ts';
import { edgeBuild, ensureEdgeWeights, type EdgeBuild } from './edge-weights.ts';

const require = createRequire(import.meta.url);

/** onnxruntime-web's SIMD binary, the file the onnxruntime-int8 Worker entry imports. */
export function ortWasmPath(): string {
  return require.resolve(`onnxruntime-web/${ORT_WASM_BINARY}`);
}

/**
 * A build's classifier under Node: tfjs on wasm:simd, onnxruntime-web's wasm on the int8 ONNX model, or LiteRT.js's
 * relaxed-SIMD build (the Worker's; Node 22+) on the int8 .tflite model.
 */
export async function loadEdgeClassifierForBuild(build: EdgeBuild): Promise<EdgeClassifier> {
  const file = new Uint8Array(await readFile(await ensureEdgeWeights(build)));
  if (build.engine === 'onnxruntime-int8') {
    const wasm = await WebAssembly.compile(await readFile(ortWasmPath()));
    return loadOnnxEdgeClassifier({
      wasm,
      model: file,
      expectedInputSize: build.inputSize,
      forwardBatch: EDGE_LIMITS.forwardBatch,
    });
  }
  if (build.engine === 'litert-int8') {
    const [glue, wasm] = await Promise.all([readLiteRtGlue('relaxed'), compileLiteRtWasm('relaxed')]);
    return loadLiteRtEdgeClassifier({
      glue,
      wasm,
      build: 'relaxed',
      model: file,
      expectedInputSize: build.inputSize,
      forwardBatch: EDGE_LIMITS.forwardBatch,
    });
  }
  return loadEdgeClassifier({
    registry: createNodeBackendRegistry(),
    backend: 'wasm:simd',
    weights: file,
    expectedPrecision: build.precision,
    expectedInputSize: build.inputSize,
    forwardBatch: EDGE_LIMITS.forwardBatch,
  });
}

/** The default build of an engine at 224 px (int8 weights). */
export const engineBuild = (engine: EdgeBuild['engine'], inputSize = 224): EdgeBuild =>
  edgeBuild(inputSize, 'int8', engine);
