// Cloudflare Workers entry (wrangler.toml `main`): int8 weights, the default that fits the Free plan's 3 MiB.
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import weights from '../.weights/nin-fmnist-96.int8.safetensors';
import { createEdgeWorker } from './worker-entry.ts';

/** What this entry bundles (tests build fresh Workers from it). */
export const bundled = { simd, weights };

export default createEdgeWorker(bundled);
