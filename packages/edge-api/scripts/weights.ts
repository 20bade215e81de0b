// Writes the edge's float16 weights (the trained float32 file re-encoded) into packages/edge-api/.weights/.
// `npm run edge:dev` and `edge:check` do this on their own when EDGE_WEIGHTS=float16; this is the explicit way.
import { parseArgs } from 'node:util';
import { EDGE_INPUT_SIZE, writeFloat16FromTrained } from '../src/node/edge-weights.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: String(EDGE_INPUT_SIZE) } } });
try {
  console.log(`wrote ${await writeFloat16FromTrained(Number(values.size))}`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
