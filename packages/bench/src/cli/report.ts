import { defineCommand, option } from '@nin-bench/core-nin/node/cli-args';
import { readResults, resultsFile, writeReport } from '../report/write.ts';

const USAGE = `usage: nin-bench report [--results FILE] [--out DIR]

Regenerates DIR/report.md and its SVG charts from a results file, without measuring.
  --results FILE   raw results (default: DIR/bench/results.json)
  --out DIR        where report.md and the charts go (default: results)`;

export const command = defineCommand({
  usage: USAGE,
  options: { results: option.string(), out: option.string().default('results') },
  async run({ values }) {
    const outDir = values.out;
    const results = await readResults(values.results ?? resultsFile(outDir));
    for (const path of await writeReport(results, outDir)) console.log(`wrote ${path}`);
    return 0;
  },
});
