// Setup the `nin` CLI tests share: a temporary directory, stand-in weights files, the console of in-process
// runs, and the one-line failure contract checked over a table of cases.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { NIN_TENSORS } from '../../model/architecture.ts';
import type { ManifestDescription, WeightStorage } from '../../weights/manifest.ts';
import { encodeNinWeights, serializeSafetensors } from '../../index.ts';
import { expectOneLineError, runNin } from '../../../test/fixtures/cli.ts';
import { initialStateDict } from '../../../test/fixtures/weights.ts';
import { signalPreservingStateDict } from '../../../test/parity/fixtures.ts';
import { writeNinWeightsFile } from '../weights-file.ts';
import { main } from './main.ts';

/**
 * A fresh directory for the tests of one describe block, removed after them. Named now (so that paths in it can
 * be written down beside the tests), made before them.
 */
export function useTempDir(prefix: string): string {
  const dir = join(tmpdir(), `${prefix}${randomUUID()}`);
  beforeAll(() => mkdir(dir, { mode: 0o700 }));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A manifest accuracy that a test can find again in a report: no model measured it. */
export const MADE_UP_ACCURACY = { test: 0.5, evaluatedOn: 'made up for the test' } as const;

/**
 * Small, fast weights: d2l's initialisation at NiN's smallest input (67 px). The numbers are meaningless, the
 * plumbing is not.
 */
export function writeTinyWeights(
  path: string,
  seed: number,
  storage: WeightStorage,
  accuracy?: ManifestDescription['accuracy'],
): Promise<void> {
  return writeNinWeightsFile(
    path,
    initialStateDict(seed),
    storage,
    accuracy ? { inputSize: 67, accuracy } : { inputSize: 67 },
  );
}

/**
 * The two weights files the export tests read, written before them into `dir`: `nin-96.safetensors` (float16,
 * with a 96 px manifest) and `bare.safetensors` (float32 tensors and no manifest, as PyTorch's safetensors writes).
 */
export function useExportWeights(dir: string): { readonly weights: string; readonly bare: string } {
  const weights = join(dir, 'nin-96.safetensors');
  const bare = join(dir, 'bare.safetensors');
  beforeAll(async () => {
    const stateDict = signalPreservingStateDict(5);
    await writeFile(weights, await encodeNinWeights(stateDict, 'float16', { inputSize: 96 }));
    const tensors = NIN_TENSORS.map((spec) => {
      const t = stateDict.get(spec.name)!;
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      return { name: spec.name, dtype: 'F32' as const, shape: spec.shape, bytes };
    });
    await writeFile(bare, serializeSafetensors(tensors));
  });
  return { weights, bare };
}

/** An export test's setup: a temporary directory with {@link useExportWeights}' two files, the console captured. */
export function useExportFixture(command: string): {
  readonly dir: string;
  readonly weights: string;
  readonly bare: string;
  readonly output: string[];
} {
  const dir = useTempDir(`nin-${command}-`);
  return { dir, ...useExportWeights(dir), output: captureConsole() };
}

/** What in-process CLI runs print (console.log and console.error), one entry a call; emptied after each test. */
export function captureConsole(): string[] {
  const output: string[] = [];
  const spies: { mockRestore(): void }[] = [];
  beforeAll(() => {
    for (const stream of ['log', 'error'] as const)
      spies.push(vi.spyOn(console, stream).mockImplementation((...a: unknown[]) => void output.push(a.join(' '))));
  });
  afterEach(() => void (output.length = 0));
  afterAll(() => spies.forEach((spy) => spy.mockRestore()));
  return output;
}

/** A CLI run that must fail: its arguments, its exit code where the case pins it, and its one line's message. */
export type FailureCase =
  readonly [args: string[], message: RegExp] | readonly [args: string[], code: number, message: RegExp];

/** Runs the real `nin` for each case: one line on stderr (no stack) matching the message, the exit code when given. */
export async function expectFailures(command: string, cases: readonly FailureCase[]): Promise<void> {
  for (const failure of cases) {
    const [args, code, message] = failure.length === 2 ? [failure[0], undefined, failure[1]] : failure;
    const result = await runNin(args);
    expect(expectOneLineError(result, command), args.join(' ')).toMatch(message);
    if (code !== undefined) expect(result.code, args.join(' ')).toBe(code);
  }
}

/**
 * Runs the real `nin` (its args asking for --json), expects exit 0, and returns its stdout parsed: typed as
 * JSON.parse types it, since the tests read the report's fields by name.
 */
export async function runNinJson(args: string[]): Promise<ReturnType<typeof JSON.parse>> {
  const result = await runNin(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** What {@link expectExportRefusals} needs of an export test: its files, its console and its format's own cases. */
export interface ExportRefusals {
  readonly dir: string;
  readonly weights: string;
  readonly output: string[];
  /** where a model would go, were the arguments good */
  readonly out: string;
  /** the format's own bad options, after `--weights W --out F` */
  readonly ownCases: readonly string[][];
}

/**
 * `nin <command>` (an export command, run in process) refuses bad arguments with its usage (exit 2), and bad
 * weights files with one line each (exit 1), writing no model.
 */
export async function expectExportRefusals(command: string, refusals: ExportRefusals): Promise<void> {
  const { dir, weights, output, out } = refusals;
  const given = ['--weights', weights, '--out', out];
  for (const args of [
    ['--out', out],
    ['--weights', weights],
    ...[
      ['--size', '40'],
      ['--bogus'],
      ['--calibration-images', '8'],
      ['--calibration-stat', 'max'],
      ['--int8', '--calibration-images', '0'],
      ['--int8', '--calibration-images', '60001'],
      ['--int8', '--calibration-stat', 'mean'],
      ['--int8', '--calibration-stat', 'p100'],
      ['--int8=yes'],
      ...refusals.ownCases,
    ].map((bad) => [...given, ...bad]),
  ]) {
    output.length = 0;
    expect(await main([command, ...args]), args.join(' ')).toBe(2);
    expect(output.join('\n')).toContain(`(see \`nin ${command} --help\`)`);
  }
  output.length = 0;
  expect(await main([command, '--weights', join(dir, 'missing.safetensors'), '--out', out])).toBe(1);
  const corrupt = join(dir, 'corrupt.safetensors');
  await writeFile(corrupt, new Uint8Array([1, 2, 3]));
  expect(await main([command, '--weights', corrupt, '--out', out])).toBe(1);
  expect(output).toHaveLength(2);
  expect(output.every((line) => line.startsWith(`nin ${command}: `) && !line.includes('\n'))).toBe(true);
  await expect(readFile(out)).rejects.toThrow(/ENOENT/);
}
