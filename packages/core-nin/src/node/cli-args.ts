// One way to read arguments for every command line in the repository: the `nin`, `nin-bench` and `nin-kit` CLIs
// and the edge's npm scripts. Built on Node's util.parseArgs; each option kind (and its error message) is written
// once here, and so are the rules users see:
//   --help / -h                  the usage on stdout, exit 0
//   a bad option or value        one line `<name>: <what is wrong> (see \`<name> --help\`)` on stderr, exit 2
//   a known failure              one line `<name>: <message>` on stderr, exit 1 (bad input files, missing backends)
//   anything else                rethrown, with its stack: that is a bug
// Light on purpose: importing it loads nothing but node:util and the model's architecture constants.
import { parseArgs } from 'node:util';
import { MIN_INPUT_SIZE } from '../model/architecture.ts';

/** Bad arguments: one line with a pointer to the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** How one option is read: parseArgs' type, and the text's conversion to a checked value. */
export interface Option<T, V> {
  readonly type: 'string' | 'boolean';
  /** Converts the option's text; throws a UsageError that names the flag (`--size`). */
  readonly parse: (text: string, flag: string) => T;
  /** The value when the option is absent. */
  readonly fallback: V;
}

/** An option that takes a value: absent is `undefined` unless `.default(v)` gives a value. */
export interface ValueOption<T> extends Option<T, T | undefined> {
  default(value: T): Option<T, T>;
}

function valueOption<T>(parse: (text: string, flag: string) => T): ValueOption<T> {
  return {
    type: 'string',
    parse,
    fallback: undefined,
    default: (value) => ({ type: 'string', parse, fallback: value }),
  };
}

interface Range {
  readonly min?: number;
  readonly max?: number;
}

function checkRange(flag: string, value: number, range: Range & { readonly above?: number }): number {
  if (range.min !== undefined && value < range.min)
    throw new UsageError(`${flag} must be at least ${range.min}, got ${value}`);
  if (range.above !== undefined && !(value > range.above))
    throw new UsageError(`${flag} must be > ${range.above}, got ${value}`);
  if (range.max !== undefined && value > range.max)
    throw new UsageError(`${flag} must be at most ${range.max}, got ${value}`);
  return value;
}

const WHOLE_NUMBER = /^[+-]?\d+$/;

function positiveInteger(text: string, flag: string, range: Pick<Range, 'max'>): number {
  const value = Number(text);
  if (!WHOLE_NUMBER.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return checkRange(flag, value, range);
}

/** The option kinds. Each reads the text of `--name value` and says in one line what is wrong with a bad one. */
export const option = {
  string: (): ValueOption<string> => valueOption((text) => text),
  /** `--flag` alone; false when absent. `--flag=value` is a usage error (parseArgs'). */
  boolean: (): Option<boolean, boolean> => ({ type: 'boolean', parse: () => true, fallback: false }),
  /** A whole number >= 1 (and <= max). */
  positiveInteger: (range: Pick<Range, 'max'> = {}): ValueOption<number> =>
    valueOption((text, flag) => positiveInteger(text, flag, range)),
  /** A whole number, in [min, max] when given. */
  integer: (range: Range = {}): ValueOption<number> =>
    valueOption((text, flag) => {
      const value = Number(text);
      if (!WHOLE_NUMBER.test(text) || !Number.isSafeInteger(value))
        throw new UsageError(`${flag} must be an integer, got "${text}"`);
      return checkRange(flag, value, range);
    }),
  /** A finite number (1e-3 and 0.5 alike), in [min, max] and above `above` when given. */
  number: (range: Range & { readonly above?: number } = {}): ValueOption<number> =>
    valueOption((text, flag) => {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value))
        throw new UsageError(`${flag} must be a number, got "${text}"`);
      return checkRange(flag, value, range);
    }),
  /** An input side in pixels: a whole number from NiN's smallest input (its three max-pools need it) up to max. */
  inputSize: (range: Pick<Range, 'max'> = {}): ValueOption<number> =>
    valueOption((text, flag) => {
      const size = positiveInteger(text, flag, {});
      if (size < MIN_INPUT_SIZE)
        throw new UsageError(`${flag} must be at least ${MIN_INPUT_SIZE} for NiN, got ${size}`);
      return checkRange(flag, size, range);
    }),
  /** One of a fixed set of words. */
  choice: <C extends string>(choices: readonly C[]): ValueOption<C> =>
    valueOption((text, flag) => {
      if (!(choices as readonly string[]).includes(text))
        throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${text}"`);
      return text as C;
    }),
  /** A kind of one command's own: `parse` returns the value or throws, and its message follows the flag. */
  custom: <T>(parse: (text: string, flag: string) => T): ValueOption<T> =>
    valueOption((text, flag) => {
      try {
        return parse(text, flag);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError(`${flag}: ${(e as Error).message}`);
      }
    }),
  /** A comma-separated list (`a,b` or `a, b`), each item read by `item` (default: as text); never empty. */
  list: <T = string>(item: Pick<Option<T, unknown>, 'parse'> = { parse: (text) => text as T }): ValueOption<T[]> =>
    valueOption((text, flag) => {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0) throw new UsageError(`${flag} takes a comma-separated list, got "${text}"`);
      return items.map((s) => item.parse(s, flag));
    }),
};

export type OptionSpecs = Readonly<Record<string, Option<unknown, unknown>>>;

/** What a command's run gets: every option's checked value (or its default, or undefined). */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K] extends Option<unknown, infer V> ? V : never;
};

export interface ParsedArgs<O extends OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  /** the arguments as given (recorded by `nin train`; handed on by scripts that pass them through) */
  readonly args: readonly string[];
}

/** Reads `args` against the declared options; every problem is a UsageError. */
export function parseOptions<O extends OptionSpecs>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
): ParsedArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type }])),
      strict: true,
      allowPositionals,
    });
  } catch (e) {
    // parseArgs' own messages name the option ("Unknown option '--bogus'", "argument missing"): keep them.
    if (String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_'))
      throw new UsageError((e as Error).message);
    throw e;
  }
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[name];
    values[name] = raw === undefined ? o.fallback : o.type === 'boolean' ? true : o.parse(raw as string, `--${name}`);
  }
  return { values: values as OptionValues<O>, positionals: parsed.positionals, args };
}

/** One command: its usage text, its options, and what it does with them (returns the exit code). */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  readonly usage: string;
  readonly options?: O;
  /** whether it takes operands (files); default no */
  readonly positionals?: boolean;
  /** hand every argument to run unparsed (`args`): for a script that passes them on to another program */
  readonly passThrough?: boolean;
  run(input: ParsedArgs<O>): Promise<number>;
}

/** Declares a command, so that its run sees its options' types. */
export function defineCommand<O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** Which errors are known failures (one line, exit 1) rather than bugs (a stack). */
export type KnownFailure = (error: Error & { code?: unknown }) => boolean;

/** Failures known by their error name (`WeightsError`), system code (`ENOENT`) or message. */
export function knownFailures(known: {
  readonly names?: Iterable<string>;
  readonly codes?: Iterable<string>;
  readonly messages?: RegExp;
}): KnownFailure {
  const names = new Set(known.names ?? []);
  const codes = new Set(known.codes ?? []);
  return (e) =>
    names.has(e.name) ||
    (typeof e.code === 'string' && codes.has(e.code)) ||
    (known.messages?.test(e.message) ?? false);
}

const firstLine = (text: string) => text.split('\n')[0];

/** `--help` or `-h` among the arguments (before a `--`). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Runs a command under the rules above; `name` prefixes its error lines, `helpCommand` is what the pointer shows. */
async function runCommand(
  name: string,
  helpCommand: string,
  help: string,
  command: Command,
  args: readonly string[],
  isKnown: KnownFailure,
): Promise<number> {
  if (asksForHelp(args)) {
    console.log(help);
    return 0;
  }
  try {
    const parsed = command.passThrough
      ? { values: {}, positionals: args, args }
      : parseOptions(args, command.options ?? {}, command.positionals ?? false);
    return await command.run(parsed);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    // By name too: a second copy of this module (a bundle) makes its own class.
    if (e instanceof UsageError || e.name === 'UsageError') {
      // parseArgs explains over several short lines; they make one sentence.
      console.error(`${name}: ${e.message.replace(/\s*\n\s*/g, ' ')} (see \`${helpCommand}\`)`);
      return 2;
    }
    if (isKnown(e)) {
      console.error(`${name}: ${firstLine(e.message)}`);
      return 1;
    }
    throw e;
  }
}

/** A multi-command CLI (`nin`, `nin-bench`, `nin-kit`): each command is loaded only when it is asked for. */
export interface Cli {
  readonly name: string;
  readonly commands: Readonly<Record<string, { readonly summary: string; load(): Promise<Command> }>>;
  readonly knownFailures: KnownFailure;
}

/**
 * A command whose module is loaded only when it is asked for (`nin predict` never pays for training code): `load`
 * imports it by a literal path, which is what the GPU kit's bundlers follow, and the module exports `command`.
 */
export function lazyCommand(
  summary: string,
  load: () => Promise<{ readonly command: unknown }>,
): Cli['commands'][string] {
  return { summary, load: async () => (await load()).command as Command };
}

export function cliHelp(cli: Cli): string {
  const width = Math.max(...Object.keys(cli.commands).map((c) => c.length)) + 2;
  return [
    `usage: ${cli.name} <command> [options]`,
    '',
    'commands:',
    ...Object.entries(cli.commands).map(([c, { summary }]) => `  ${c.padEnd(width)} ${summary}`),
    '',
    `Run \`${cli.name} <command> --help\` for a command's options.`,
  ].join('\n');
}

/** Runs `<cli> <command> [options]`; returns the exit code (no command: the help and 2; an unknown one: 2). */
export async function runCli(cli: Cli, argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(cliHelp(cli));
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(cli.commands, name) ? cli.commands[name] : undefined;
  if (!entry) {
    console.error(`${cli.name}: unknown command "${name}"\n\n${cliHelp(cli)}`);
    return 2;
  }
  const command = await entry.load();
  const label = `${cli.name} ${name}`;
  return runCommand(label, `${label} --help`, `${entry.summary}\n\n${command.usage}`, command, args, cli.knownFailures);
}

/** A single-command script (the edge's npm scripts). */
export interface Script<O extends OptionSpecs> extends Command<O> {
  /** prefixes its error lines, e.g. `edge:check` */
  readonly name: string;
  /** how a user asks for its usage, e.g. `npm run edge:check -- --help` */
  readonly helpCommand: string;
  /** default: none (every error but a UsageError keeps its stack) */
  readonly knownFailures?: KnownFailure;
}

/** Runs a script under the same rules as a CLI's command and sets the process's exit code. */
export async function runScript<O extends OptionSpecs>(
  script: Script<O>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  process.exitCode = await runCommand(
    script.name,
    script.helpCommand,
    script.usage,
    script as Command,
    argv,
    script.knownFailures ?? (() => false),
  );
}
