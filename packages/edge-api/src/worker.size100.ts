// Workers entry for `EDGE_SIZE=100` (wrangler env `size100`): the NiN trained for a 100 px input, in int8, for the
// Workers Free plan's 10 ms of CPU per request. 100 px is the smallest input whose last block still sees a 2x2 map
// (at 96 px it is 1x1, where a model plateaus near 0.82); it costs 0.18x the multiply-adds of 224 px.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-100.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

export default createEdgeWorker({ simd, weights });
