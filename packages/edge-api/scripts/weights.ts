// Writes the edge's non-committed weights: `--untrained` for development without trained weights, otherwise the
// float16 re-encoding of the trained float32 file. See src/node/edge-weights.ts.
import { parseArgs } from 'node:util';
import { WEIGHT_STORAGES, type WeightStorage } from '@nin-bench/core-nin';
import { writeFloat16FromTrained, writeUntrained } from '../src/node/edge-weights.ts';

const { values } = parseArgs({ options: { untrained: { type: 'boolean', default: false }, precision: { type: 'string' } } });
const precisions = values.precision ? [values.precision as WeightStorage] : [...WEIGHT_STORAGES];
for (const p of precisions) {
  if (!WEIGHT_STORAGES.includes(p)) {
    console.error(`--precision must be one of ${WEIGHT_STORAGES.join(', ')}`);
    process.exit(2);
  }
}
const written = values.untrained ? await writeUntrained(precisions) : [await writeFloat16FromTrained()];
for (const p of written) console.log(`wrote ${p}`);
