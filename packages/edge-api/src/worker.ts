// Cloudflare Workers entry (wrangler.toml `main`): the 224 px NiN in int8, the default build, which fits the
// Free plan's 3 MiB script limit.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../../core-nin/weights/nin-fmnist-224.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { simd, weights };

export default createEdgeWorker(bundled);
