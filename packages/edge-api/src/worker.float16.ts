// Workers entry for `EDGE_WEIGHTS=float16` (wrangler env `float16`): the trained weights re-encoded as float16
// by scripts/dev-weights.ts.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../.weights/nin-fmnist-96.float16.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
