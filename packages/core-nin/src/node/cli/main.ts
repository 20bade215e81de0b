import { CliUsageError, type CliCommand } from './command.ts';

// Each command lives in its own file and is loaded only when asked for, so `nin predict` never pays for
// training code (or the other way round).
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  predict: () => import('./predict.ts'),
  eval: () => import('./eval.ts'),
  'export-onnx': () => import('./export-onnx.ts'),
  train: () => import('./train.ts'),
};

function help(): string {
  return [
    'usage: nin <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((c) => `  ${c}`),
    '',
    'Run `nin <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Known failures (bad input, missing backend, corrupt file) print one clear line; anything else a stack. */
const EXPECTED_ERRORS = new Set(['WeightsError', 'IdxFormatError', 'ImageDecodeError', 'BackendUnavailableError', 'DatasetError', 'RangeError']);

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`nin: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const { command } = await load();
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (e) {
    const err = e as Error;
    if (e instanceof CliUsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      console.error(`nin ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (EXPECTED_ERRORS.has(err.name) || (err as { code?: string }).code === 'ENOENT') {
      console.error(`nin ${name}: ${err.message}`);
      return 1;
    }
    throw e;
  }
}
