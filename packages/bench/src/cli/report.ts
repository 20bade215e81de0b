import { defineCommand, option } from '@nin-bench/core-nin/node/cli-args';
import { otherMachinesIn, readMachines, readResults, resultsFile, writeReport } from '../report/write.ts';

const USAGE = `usage: nin-bench report [FILE|FOLDER ...] [--results FILE] [--out DIR]

Regenerates DIR/report.md and its SVG charts from results files, without measuring.
  (none)           DIR/bench/results.json, with every other machine's results.json in DIR's subfolders
                   (results/bench-gpu/results.json) as machines of their own
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
      const file = values.results ?? resultsFile(outDir);
      const results = await readResults(file);
      const others = await otherMachinesIn(outDir, file);
      for (const path of await writeReport(results, outDir, { file, others })) console.log(`wrote ${path}`);
      return 0;
    }
    const [first, ...others] = await readMachines([...(values.results ? [values.results] : []), ...positionals]);
    for (const path of await writeReport(first.results, outDir, { file: first.file, others }))
      console.log(`wrote ${path}`);
    return 0;
  },
});
