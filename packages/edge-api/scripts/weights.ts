// Writes the edge's float16 weights (the trained float32 file re-encoded) into packages/edge-api/.weights/.
// `npm run edge:dev` and `edge:check` do this on their own when EDGE_WEIGHTS=float16; this is the explicit way.
import { EDGE_INPUT_SIZE, writeFloat16FromTrained } from '../src/node/edge-weights.ts';
import { parseScriptArgs, positiveInteger, runScript } from './script-args.ts';

const NAME = 'edge weights';
const USAGE = `usage: npm run -w @nin-bench/edge-api weights -- [--size PX]

Re-encodes the trained float32 weights of the PX model (default ${EDGE_INPUT_SIZE}) as float16 for the edge build.`;

const values = parseScriptArgs(NAME, USAGE, { size: { type: 'string', default: String(EDGE_INPUT_SIZE) } });
await runScript(NAME, USAGE, async () => {
  console.log(`wrote ${await writeFloat16FromTrained(positiveInteger('size', values.size))}`);
});
