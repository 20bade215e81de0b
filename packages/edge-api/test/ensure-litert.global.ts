// Before workerd bundles the LiteRT Worker: the glue's ES-module copy and the .tflite model it imports must exist
// (see src/node/litert-glue.ts and src/node/edge-weights.ts).
import { edgeBuild, ensureEdgeWeights } from '../src/node/edge-weights.ts';

export default async function setup(): Promise<void> {
  await ensureEdgeWeights(edgeBuild(100, 'int8', 'litert-int8')); // vitest.workers-litert.config.ts: env litert-int8-size100
}
