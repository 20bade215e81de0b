import { UsageError, defineCommand, option } from '@nin-bench/core-nin/node/cli-args';
import { DEFAULT_THRESHOLD_PERCENT, compareResults, hasRegression } from '../compare/compare.ts';
import { renderComparison } from '../compare/render.ts';
import { readResults } from '../report/write.ts';

const USAGE = `usage: nin-bench compare BASE.json NEW.json [--threshold PCT] [--json]

Compares two results files row by row (backend, size, scenario, batch): the ratio of medians NEW / BASE with a
95% bootstrap interval and a Mann-Whitney U p-value, and a verdict: slower, faster or within noise. Also says
whether the machines, Node and package versions differ. Exits 1 when a row is slower (a CI gate), else 0.
  --threshold PCT  how far outside 1 the whole interval must lie to count (default ${DEFAULT_THRESHOLD_PERCENT})
  --json           the comparison as JSON instead of Markdown`;

const OPTIONS = {
  threshold: option.number({ min: 0, max: 1000 }),
  json: option.boolean(),
};

export const command = defineCommand({
  usage: USAGE,
  options: OPTIONS,
  positionals: true,
  async run({ values, positionals }) {
    if (positionals.length !== 2)
      throw new UsageError(`compare takes two results files, BASE and NEW; got ${positionals.length}`);
    const [basePath, newPath] = positionals;
    const comparison = compareResults(
      { file: basePath, results: await readResults(basePath) },
      { file: newPath, results: await readResults(newPath) },
      values.threshold ?? DEFAULT_THRESHOLD_PERCENT,
    );
    process.stdout.write(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison));
    return hasRegression(comparison) ? 1 : 0;
  },
});
