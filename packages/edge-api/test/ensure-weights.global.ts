// Before workerd bundles the Worker: the weights file it imports must exist (see src/node/edge-weights.ts).
import { ensureEdgeWeights } from '../src/node/edge-weights.ts';

export default async function setup(): Promise<void> {
  await ensureEdgeWeights();
}
