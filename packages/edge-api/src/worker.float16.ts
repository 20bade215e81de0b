// Workers entry for `EDGE_WEIGHTS=float16` (wrangler env `float16`): the 224 px weights re-encoded as float16
// from the trained float32 file (src/node/edge-weights.ts). About 3.6 MiB gzipped: within today's 64 MiB, over the former 3 MiB Free-plan gzip limit.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../.weights/nin-fmnist-224.float16.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
