// Workers entry for `EDGE_SIZE=96` (wrangler env `size96`): the NiN trained at 96 px, in int8. The same 2 MB
// of weights, 7 times fewer multiply-adds per image than 224 px, but a weaker model (see the README).
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-96.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
