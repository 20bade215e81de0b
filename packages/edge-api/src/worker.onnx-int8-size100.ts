// Workers entry for `EDGE_ENGINE=onnxruntime-int8` at 100 px (wrangler env `onnx-int8-size100`): the calibrated int8
// QDQ model of the NiN trained for a 100 px input (`nin export-onnx --int8`) on onnxruntime-web's wasm SIMD backend,
// one thread. The default build before LiteRT.js's (src/worker.litert-int8-size100.ts), which took 0.46x its Worker
// CPU per request at the same accuracy.
// By path: wrangler's module collector does not resolve the package's exported `onnxruntime-web/ort-wasm-simd-threaded.wasm`
// (it ends up looking beside this file), and vite (the workerd tests) refuses the unexported `onnxruntime-web/dist/...`.
import ortWasm from '../../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import model from '../../core-nin/weights/nin-fmnist-100.int8.onnx';
import { createOnnxEdgeWorker } from './worker-entry-onnx.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { ortWasm, model };

export default createOnnxEdgeWorker(bundled);
