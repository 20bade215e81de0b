// Writes the edge's float16 weights (the trained float32 file re-encoded) into packages/edge-api/.weights/.
// `npm run edge:dev` and `edge:check` do this on their own when EDGE_WEIGHTS=float16; this is the explicit way.
import { option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { EDGE_BUILDS, writeFloat16FromTrained } from '../src/node/edge-weights.ts';

/** the float16 build's size (224 px) */
const FLOAT16_SIZE = EDGE_BUILDS.find((b) => b.precision === 'float16')!.inputSize;

const USAGE = `usage: npm run -w @nin-bench/edge-api weights -- [--size PX]

Re-encodes the trained float32 weights of the PX model (default ${FLOAT16_SIZE}) as float16 for the edge build.`;

await runScript({
  name: 'edge weights',
  helpCommand: 'npm run -w @nin-bench/edge-api weights -- --help',
  usage: USAGE,
  options: { size: option.inputSize().default(FLOAT16_SIZE) },
  // Every failure here is the machine's setup (no trained weights of that size): one line, exit 1.
  knownFailures: () => true,
  async run({ values }) {
    console.log(`wrote ${await writeFloat16FromTrained(values.size)}`);
    return 0;
  },
});
