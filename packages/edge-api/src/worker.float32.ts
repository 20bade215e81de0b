// Workers entry for `EDGE_WEIGHTS=float32` (wrangler env `float32`): the trained float32 weights as committed;
// about 7 MiB gzipped, over the Free plan's 3 MiB script limit (the Paid plan allows 10 MiB).
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../.weights/nin-fmnist-96.float32.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
