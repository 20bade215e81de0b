// Workers entry for `EDGE_WEIGHTS=float32` (wrangler env `float32`): the trained 224 px float32 weights as
// committed; about 7 MiB gzipped, within the 64 MiB every plan allows since 2026 (over the former 3 MiB Free-plan gzip limit).
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-224.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
