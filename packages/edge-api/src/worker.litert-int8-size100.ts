// Cloudflare Workers entry (wrangler.toml `main`), the default build: `EDGE_ENGINE=litert-int8` at 100 px, the fully
// integer `.tflite` NiN (`nin export-tflite --int8`) on LiteRT.js's relaxed-SIMD build (XNNPACK QS8), one thread.
// Chosen by measurement: the lowest Worker CPU per request among the builds at >= 0.88 test accuracy, within the Free
// plan's 10 ms (src/node/edge-weights.ts lists the builds; results/bench/ has the run). The glue is imported by
// its package name, which wrangler.toml's [alias] (and vitest.workers-litert.config.ts) point at its ES-module copy
// (src/node/litert-glue.ts writes it: the file itself is a classic script that exports nothing a bundler sees).
// The wasm by path, as the onnxruntime entries import theirs: wrangler's module collector looks beside this file for
// a package's .wasm.
import glue from '@litertjs/core/wasm/litert_wasm_internal.js';
import wasm from '../../../node_modules/@litertjs/core/wasm/litert_wasm_internal.wasm';
import model from '../../core-nin/weights/nin-fmnist-100.int8.tflite';
import { createLiteRtEdgeWorker } from './worker-entry-litert.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { glue, wasm, model };

export default createLiteRtEdgeWorker(bundled);
