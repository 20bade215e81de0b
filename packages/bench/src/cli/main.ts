import { REPORT_USAGE, reportCommand } from './report.ts';
import { RUN_USAGE, runCommand } from './run.ts';
import { SOAK_USAGE, soakCommand } from './soak.ts';
import { UsageError } from './usage-error.ts';

const COMMANDS: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  run: { usage: RUN_USAGE, run: runCommand },
  report: { usage: REPORT_USAGE, run: reportCommand },
  soak: { usage: SOAK_USAGE, run: soakCommand },
};

const HELP = `usage: nin-bench <command> [options]

commands:
  run      benchmark every backend and write results/ (npm run bench)
  report   regenerate results/report.md from the raw results (npm run report)
  soak     send 10,000 real test images to the edge endpoint and check errors, answers and memory (npm run edge:soak)

Run \`nin-bench <command> --help\` for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`nin-bench: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`nin-bench ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    // Known failures (corrupt weights, missing data set) are one line; anything else keeps its stack.
    if (['WeightsError', 'DatasetError', 'IdxFormatError', 'BackendUnavailableError'].includes(err.name) || err.code === 'ENOENT' || /results|nin-bench results|nothing answers/.test(err.message)) {
      console.error(`nin-bench ${name}: ${err.message}`);
      return 1;
    }
    throw e;
  }
}
