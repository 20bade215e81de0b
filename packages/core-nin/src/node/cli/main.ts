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

const PARSE_ARGS_ERRORS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);
/** A path that cannot be read is the user's input, not a bug: say which and why. */
const FILE_ERRORS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR']);

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
    const err = e as Error & { code?: string };
    // Bad input gets one line (and a pointer to the usage), never a stack trace.
    if (e instanceof CliUsageError || PARSE_ARGS_ERRORS.has(err.code ?? '')) {
      console.error(`nin ${name}: ${err.message} (see \`nin ${name} --help\`)`);
      return 2;
    }
    if (EXPECTED_ERRORS.has(err.name) || FILE_ERRORS.has(err.code ?? '')) {
      console.error(`nin ${name}: ${err.message}`);
      return 1;
    }
    throw e;
  }
}
