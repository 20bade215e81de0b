// Cloudflare Workers entry (wrangler.toml `main`): the 224 px NiN in int8, the default build (2 MiB gzipped:
// it also fits the former 3 MiB Free-plan limit on the compressed upload).
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-224.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { simd, weights };

export default createEdgeWorker(bundled);
