import { knownFailures, runCli, type Command } from '@nin-bench/core-nin/node/cli-args';

const BENCH_CLI = {
  name: 'nin-bench',
  commands: {
    run: {
      summary: 'benchmark every backend and write results/ (npm run bench)',
      load: async () => (await import('./run.ts')).command as Command,
    },
    report: {
      summary: 'regenerate results/report.md from the raw results (npm run report)',
      load: async () => (await import('./report.ts')).command as Command,
    },
    compare: {
      summary:
        'compare two results files row by row: ratio of medians, 95% interval, p-value, verdict (exit 1 when slower)',
      load: async () => (await import('./compare.ts')).command as Command,
    },
    soak: {
      summary:
        'send 10,000 real test images to the edge endpoint and check errors, answers and memory (npm run edge:soak)',
      load: async () => (await import('./soak.ts')).command as Command,
    },
  },
  // Known failures (corrupt weights, missing data set, no results yet, no endpoint) are one line; anything else keeps its stack.
  knownFailures: knownFailures({
    names: ['WeightsError', 'DatasetError', 'IdxFormatError', 'BackendUnavailableError'],
    codes: ['ENOENT'],
    messages: /results|nin-bench results|nothing answers/,
  }),
};

export function main(argv: string[]): Promise<number> {
  return runCli(BENCH_CLI, argv);
}
