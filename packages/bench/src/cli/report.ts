import { parseArgs } from 'node:util';
import { readResults, resultsFile, writeReport } from '../report/write.ts';

export const REPORT_USAGE = `usage: nin-bench report [--results FILE] [--out DIR]

Regenerates DIR/report.md and its SVG charts from a results file, without measuring.
  --results FILE   raw results (default: DIR/bench/results.json)
  --out DIR        where report.md and the charts go (default: results)`;

export async function reportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { results: { type: 'string' }, out: { type: 'string', default: 'results' } }, strict: true });
  const outDir = values.out!;
  const results = await readResults(values.results ?? resultsFile(outDir));
  for (const path of await writeReport(results, outDir)) console.log(`wrote ${path}`);
  return 0;
}
