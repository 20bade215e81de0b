// Workers entry for `EDGE_SIZE=224 EDGE_ENGINE=tfjs` (wrangler env `size224`): the 224 px NiN, int8 weights, on
// tfjs-backend-wasm SIMD, the design card's engine (2 MiB gzipped: it also fits the former 3 MiB Free-plan limit on
// the compressed upload). Its Worker CPU per request needs Workers Paid.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-224.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { simd, weights };

export default createEdgeWorker(bundled);
