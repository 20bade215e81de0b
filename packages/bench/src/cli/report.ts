import { defineCommand, option } from '@nin-bench/core-nin/node/cli-args';
import { readMachines, readResults, resultsFile, writeReport } from '../report/write.ts';

const USAGE = `usage: nin-bench report [FILE|FOLDER ...] [--results FILE] [--out DIR]

Regenerates DIR/report.md and its SVG charts from results files, without measuring.
  FILE|FOLDER      results files, or folders holding them (each results.json in the folder and its subfolders):
                   the first is the report's machine, every further one gets a section of its own and a table of
                   ratios against the first (e.g. \`nin-bench report results/\` adds results/bench-gpu/results.json)
  --results FILE   raw results of the report's machine (default: the first FILE, else DIR/bench/results.json)
  --out DIR        where report.md and the charts go (default: results)`;

export const command = defineCommand({
  usage: USAGE,
  options: { results: option.string(), out: option.string().default('results') },
  positionals: true,
  async run({ values, positionals }) {
    const outDir = values.out;
    if (positionals.length === 0) {
      const results = await readResults(values.results ?? resultsFile(outDir));
      for (const path of await writeReport(results, outDir)) console.log(`wrote ${path}`);
      return 0;
    }
    const [first, ...others] = await readMachines([...(values.results ? [values.results] : []), ...positionals]);
    for (const path of await writeReport(first.results, outDir, { file: first.file, others }))
      console.log(`wrote ${path}`);
    return 0;
  },
});
