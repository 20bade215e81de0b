import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIN_INPUT_SIZE } from '../model/architecture.ts';
import {
  UsageError,
  defineCommand,
  knownFailures,
  option,
  parseOptions,
  runCli,
  runScript,
  type Cli,
  type Command,
  type OptionSpecs,
} from './cli-args.ts';

/** The value `--name text` gives, or the message of the usage error it raises. */
function read(spec: OptionSpecs[string], text: string): unknown {
  try {
    return parseOptions([`--name=${text}`], { name: spec }).values.name;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
}

describe('option kinds', () => {
  it.each<[string, OptionSpecs[string], string, unknown]>([
    ['string', option.string(), 'x y', 'x y'],
    ['positiveInteger', option.positiveInteger(), '12', 12],
    ['positiveInteger', option.positiveInteger(), '0', '--name must be a positive integer, got "0"'],
    ['positiveInteger', option.positiveInteger(), '1.5', '--name must be a positive integer, got "1.5"'],
    ['positiveInteger', option.positiveInteger(), 'many', '--name must be a positive integer, got "many"'],
    [
      'positiveInteger',
      option.positiveInteger(),
      '99999999999999999999',
      '--name must be a positive integer, got "99999999999999999999"',
    ],
    ['positiveInteger max', option.positiveInteger({ max: 10 }), '11', '--name must be at most 10, got 11'],
    ['integer', option.integer(), '-3', -3],
    ['integer', option.integer(), 'two', '--name must be an integer, got "two"'],
    ['integer', option.integer(), '1e3', '--name must be an integer, got "1e3"'],
    ['integer min', option.integer({ min: 1 }), '0', '--name must be at least 1, got 0'],
    ['number', option.number(), '1e-3', 0.001],
    ['number', option.number(), ' ', '--name must be a number, got " "'],
    ['number', option.number(), 'Infinity', '--name must be a number, got "Infinity"'],
    ['number above', option.number({ above: 0 }), '0', '--name must be > 0, got 0'],
    ['number min/max', option.number({ min: 0, max: 1 }), '1.5', '--name must be at most 1, got 1.5'],
    ['inputSize', option.inputSize(), String(MIN_INPUT_SIZE), MIN_INPUT_SIZE],
    ['inputSize', option.inputSize(), '40', `--name must be at least ${MIN_INPUT_SIZE} for NiN, got 40`],
    ['inputSize', option.inputSize(), 'big', '--name must be a positive integer, got "big"'],
    ['inputSize max', option.inputSize({ max: 1024 }), '2000', '--name must be at most 1024, got 2000'],
    ['choice', option.choice(['sgd', 'adamw']), 'adamw', 'adamw'],
    ['choice', option.choice(['sgd', 'adamw']), 'adam', '--name must be one of sgd, adamw, got "adam"'],
    ['list', option.list(), 'a, b,,c', ['a', 'b', 'c']],
    ['list', option.list(), ' , ', '--name takes a comma-separated list, got " , "'],
    ['list of sizes', option.list(option.inputSize()), '96,224', [96, 224]],
    [
      'list of sizes',
      option.list(option.inputSize()),
      '96,20',
      `--name must be at least ${MIN_INPUT_SIZE} for NiN, got 20`,
    ],
    ['custom', option.custom((t) => (t === 'ok' ? 1 : JSON.parse(t))), '{', expect.stringMatching(/^--name: .*JSON/)],
    [
      'custom usage error',
      option.custom(() => {
        throw new UsageError('--name is odd');
      }),
      'x',
      '--name is odd',
    ],
  ])('%s reads %j', (_, spec, text, expected) => {
    expect(read(spec, text)).toEqual(expected);
  });

  it('gives defaults (or undefined) for absent options and false for absent flags; checks --flag=value and unknown options', () => {
    const spec = {
      top: option.positiveInteger().default(1),
      size: option.inputSize(),
      json: option.boolean(),
      list: option.list().default(['a']),
    };
    expect(parseOptions([], spec).values).toEqual({ top: 1, size: undefined, json: false, list: ['a'] });
    expect(parseOptions(['--json', '--top', '3'], spec).values).toMatchObject({ top: 3, json: true });
    expect(() => parseOptions(['--json=yes'], spec)).toThrow(UsageError);
    expect(() => parseOptions(['--bogus'], spec)).toThrow(/Unknown option '--bogus'/);
    expect(() => parseOptions(['--top'], spec)).toThrow(/argument missing/);
    expect(() => parseOptions(['file.png'], spec)).toThrow(/Unexpected argument 'file.png'/);
    expect(parseOptions(['a.png', '--json', 'b.png'], spec, true).positionals).toEqual(['a.png', 'b.png']);
  });
});

describe('runCli and runScript', () => {
  const out: string[] = [];
  const err: string[] = [];
  beforeAll(() => {
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => {
    out.length = 0;
    err.length = 0;
    process.exitCode = undefined;
  });
  afterAll(() => vi.restoreAllMocks());

  class FixtureFileError extends Error {
    override readonly name = 'FixtureFileError';
  }
  const ran: unknown[] = [];
  const echo = defineCommand({
    usage: 'usage: t echo [--times N] [--fail usage|known|enoent|bug] <words>',
    positionals: true,
    options: { times: option.positiveInteger().default(1), fail: option.choice(['usage', 'known', 'enoent', 'bug']) },
    async run({ values, positionals }) {
      if (values.fail === 'usage') throw new UsageError('the words do not fit\nover two lines');
      if (values.fail === 'known') throw new FixtureFileError('words.txt: not words\nmore detail');
      if (values.fail === 'enoent')
        throw Object.assign(new Error('ENOENT: no such file, open words.txt'), { code: 'ENOENT' });
      if (values.fail === 'bug') throw new TypeError('undefined is not a function');
      ran.push({ times: values.times, positionals });
      return 0;
    },
  });
  const cli: Cli = {
    name: 't',
    commands: { echo: { summary: 'Say the words', load: async () => echo as Command } },
    knownFailures: knownFailures({ names: ['FixtureFileError'], codes: ['ENOENT'] }),
  };

  it('--help, -h and help print the list of commands (exit 0); no command prints it and exits 2', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      out.length = 0;
      expect(await runCli(cli, argv)).toBe(0);
      expect(out.join('\n')).toBe(
        "usage: t <command> [options]\n\ncommands:\n  echo   Say the words\n\nRun `t <command> --help` for a command's options.",
      );
    }
    expect(await runCli(cli, [])).toBe(2);
    expect(out.join('\n')).toMatch(/^usage: t <command>/);
  });

  it('an unknown command: exit 2, the list of commands on stderr', async () => {
    expect(await runCli(cli, ['toString'])).toBe(2);
    expect(err.join('\n')).toMatch(/^t: unknown command "toString"\n\nusage: t <command>/);
  });

  it("a command's --help (anywhere before --) prints its summary and usage and runs nothing", async () => {
    expect(await runCli(cli, ['echo', 'hello', '--times', 'x', '-h'])).toBe(0);
    expect(out.join('\n')).toBe('Say the words\n\nusage: t echo [--times N] [--fail usage|known|enoent|bug] <words>');
    expect(await runCli(cli, ['echo', '--', '--help'])).toBe(0);
    expect(ran.at(-1)).toEqual({ times: 1, positionals: ['--help'] });
  });

  it('runs the command with typed values', async () => {
    expect(await runCli(cli, ['echo', 'a', '--times', '3', 'b'])).toBe(0);
    expect(ran.at(-1)).toEqual({ times: 3, positionals: ['a', 'b'] });
  });

  it('a usage error: one line that points at the help, exit 2', async () => {
    expect(await runCli(cli, ['echo', '--times', '0'])).toBe(2);
    expect(await runCli(cli, ['echo', '--fail', 'usage'])).toBe(2);
    expect(await runCli(cli, ['echo', '--bogus'])).toBe(2);
    expect(err).toEqual([
      't echo: --times must be a positive integer, got "0" (see `t echo --help`)',
      't echo: the words do not fit over two lines (see `t echo --help`)',
      expect.stringMatching(/^t echo: Unknown option '--bogus'.* \(see `t echo --help`\)$/),
    ]);
  });

  it('a known failure (by name or code): its first line, exit 1; anything else is rethrown with its stack', async () => {
    expect(await runCli(cli, ['echo', '--fail', 'known'])).toBe(1);
    expect(await runCli(cli, ['echo', '--fail', 'enoent'])).toBe(1);
    expect(err).toEqual(['t echo: words.txt: not words', 't echo: ENOENT: no such file, open words.txt']);
    await expect(runCli(cli, ['echo', '--fail', 'bug'])).rejects.toThrow(TypeError);
  });

  it('knownFailures matches names, codes and messages', () => {
    const known = knownFailures({ names: ['WeightsError'], codes: ['EISDIR'], messages: /nothing answers/ });
    expect(known(Object.assign(new Error('x'), { name: 'WeightsError' }))).toBe(true);
    expect(known(Object.assign(new Error('x'), { code: 'EISDIR' }))).toBe(true);
    expect(known(new Error('nothing answers at http://127.0.0.1:1/health'))).toBe(true);
    expect(known(new Error('x'))).toBe(false);
  });

  it('runScript: the same rules for a single-command script, as the exit code of the process', async () => {
    const script = {
      ...echo,
      name: 'edge:thing',
      helpCommand: 'npm run edge:thing -- --help',
      knownFailures: cli.knownFailures,
    };
    await runScript(script, ['--help']);
    expect(process.exitCode).toBe(0);
    expect(out).toEqual(['usage: t echo [--times N] [--fail usage|known|enoent|bug] <words>']);
    await runScript(script, ['--times', 'x']);
    expect(process.exitCode).toBe(2);
    await runScript(script, ['--fail', 'known']);
    expect(process.exitCode).toBe(1);
    expect(err).toEqual([
      'edge:thing: --times must be a positive integer, got "x" (see `npm run edge:thing -- --help`)',
      'edge:thing: words.txt: not words',
    ]);
    await runScript(script, ['w']);
    expect(process.exitCode).toBe(0);
    await expect(runScript({ ...script, knownFailures: undefined }, ['--fail', 'known'])).rejects.toThrow(
      FixtureFileError,
    );
  });

  it('runScript with passThrough hands every argument on unparsed (but still answers --help)', async () => {
    const seen: (readonly string[])[] = [];
    const script = {
      name: 's',
      helpCommand: 's --help',
      usage: 'usage: s [wrangler options]',
      passThrough: true,
      run: async ({ args }: { args: readonly string[] }) => (seen.push(args), 0),
    };
    await runScript(script, ['--ip', '0.0.0.0', '--port=1']);
    expect(seen).toEqual([['--ip', '0.0.0.0', '--port=1']]);
    await runScript(script, ['--help']);
    expect(out).toEqual(['usage: s [wrangler options]']);
    expect(seen).toHaveLength(1);
  });
});

it('cli-args imports nothing heavy: node:util and the architecture constants only', async () => {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [new URL('./cli-args.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(
    Object.keys(result.metafile.inputs)
      .map((f) => f.replace(/^.*packages\/core-nin\//, ''))
      .sort(),
  ).toEqual(['src/model/architecture.ts', 'src/node/cli-args.ts']);
});
