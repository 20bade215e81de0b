// Workers entry for `EDGE_SIZE=224` (wrangler env `size224`): the NiN trained at 224 px, as d2l trains it, in
// int8. The same 2 MB of weights as the 96 px model, but 5.4 times the multiply-adds per image.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-224.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
