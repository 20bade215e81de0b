import { knownFailures, lazyCommand, runCli, type Cli } from '@nin-bench/core-nin/node/cli-args';

const BENCH_CLI: Cli = {
  name: 'nin-bench',
  commands: {
    run: lazyCommand('benchmark every backend and write results/ (npm run bench)', () => import('./run.ts')),
    report: lazyCommand(
      'regenerate results/report.md from the raw results (npm run report)',
      () => import('./report.ts'),
    ),
    compare: lazyCommand(
      'compare two results files row by row: ratio of medians, 95% interval, p-value, verdict (exit 1 when slower)',
      () => import('./compare.ts'),
    ),
    soak: lazyCommand(
      'send 10,000 real test images to the edge endpoint and check errors, answers and memory (npm run edge:soak)',
      () => import('./soak.ts'),
    ),
  },
  // Known failures (corrupt weights, missing data set, no results yet, no endpoint) are one line; anything else
  // keeps its stack.
  knownFailures: knownFailures({
    names: ['WeightsError', 'DatasetError', 'IdxFormatError', 'BackendUnavailableError'],
    codes: ['ENOENT'],
    messages: /results|nin-bench results|nothing answers/,
  }),
};

export function main(argv: string[]): Promise<number> {
  return runCli(BENCH_CLI, argv);
}
