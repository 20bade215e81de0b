// Before workerd bundles the Worker: the weights file it imports must exist (see src/node/edge-weights.ts).
import { edgeBuild, ensureEdgeWeights } from '../src/node/edge-weights.ts';

export default async function setup(): Promise<void> {
  await ensureEdgeWeights(edgeBuild(224, 'int8', 'tfjs')); // vitest.workers.config.ts: env size224
}
