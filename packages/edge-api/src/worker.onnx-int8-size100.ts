// Workers entry for `EDGE_ENGINE=onnxruntime-int8 EDGE_SIZE=100` (wrangler env `onnx-int8-size100`): the calibrated int8 QDQ model of the
// 100 px NiN (the Free-plan model) (`nin export-onnx --int8`) on onnxruntime-web's wasm SIMD backend, one thread. Another size is one more
// entry like this one (its .onnx file) and one more wrangler env (src/node/edge-weights.ts lists the builds).
// By path: wrangler's module collector does not resolve the package's exported `onnxruntime-web/ort-wasm-simd-threaded.wasm`
// (it ends up looking beside this file), and vite (the workerd tests) refuses the unexported `onnxruntime-web/dist/...`.
import ortWasm from '../../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm';
import model from '../../core-nin/weights/nin-fmnist-100.int8.onnx';
import { createOnnxEdgeWorker } from './worker-entry-onnx.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { ortWasm, model };

export default createOnnxEdgeWorker(bundled);
