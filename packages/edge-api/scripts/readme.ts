// `npm run -w @nin-bench/edge-api readme`: rewrites the measured blocks of packages/edge-api/README.md from the
// committed JSON under packages/edge-api/results/ (the measurement scripts write JSON only, never the README).
import { join, relative } from 'node:path';
import { knownFailures, runScript } from '@nin-bench/core-nin/node/cli-args';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { EDGE_README, EDGE_RESULTS_DIR, MEASURED_BLOCKS, updateEdgeReadme } from '../src/node/readme-measurements.ts';

/** paths as the repository's root names them, wherever npm runs the script */
const fromRoot = (path: string) => relative(join(EDGE_DIR, '..', '..'), path);

const USAGE = `usage: npm run -w @nin-bench/edge-api readme

Re-renders every <!-- measured:NAME --> ... <!-- /measured:NAME --> block of ${fromRoot(EDGE_README)}
(${Object.keys(MEASURED_BLOCKS).join(', ')}) from the JSON committed in ${fromRoot(EDGE_RESULTS_DIR)}/ and prints
which blocks changed. An unknown block name or a missing result file is an error.`;

await runScript({
  name: 'edge readme',
  helpCommand: 'npm run -w @nin-bench/edge-api readme -- --help',
  usage: USAGE,
  knownFailures: knownFailures({ names: ['MeasuredBlockError'], codes: ['ENOENT', 'EACCES'] }),
  async run() {
    const changed = await updateEdgeReadme();
    console.log(
      changed.length
        ? `${fromRoot(EDGE_README)}: re-rendered ${changed.join(', ')}`
        : `${fromRoot(EDGE_README)}: every measured block is up to date`,
    );
    return 0;
  },
});
