// Argument handling shared by the edge's npm scripts: `--help` prints the usage; a bad option or value prints
// one line and the usage and exits 2; a failure while running prints one line and exits 1. No stack traces.
import { parseArgs } from 'node:util';

/** A bad option or value: exit 2 with the usage. */
export class ScriptUsageError extends Error {}

/** Parses `--name value` options (all strings here) and `--help`. */
export function parseScriptArgs(name: string, usage: string, options: Readonly<Record<string, { type: 'string'; default?: string }>>): Readonly<Record<string, string | undefined>> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
  } catch (e) {
    usageFailure(name, usage, e);
  }
  const { help, ...values } = parsed.values;
  if (help) {
    console.log(usage);
    process.exit(0);
  }
  return values as Record<string, string | undefined>;
}

function usageFailure(name: string, usage: string, e: unknown): never {
  console.error(`${name}: ${(e as Error).message}\n\n${usage}`);
  process.exit(2);
}

/** Runs a step of the script; an error becomes one line on stderr and exit 1 (a ScriptUsageError: exit 2 with the usage). */
export async function runScript<T>(name: string, usage: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ScriptUsageError) usageFailure(name, usage, e);
    console.error(`${name}: ${(e as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}

/** A whole number >= 1 from an option's text. */
export function positiveInteger(option: string, text: string | undefined): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new ScriptUsageError(`--${option} must be a whole number of at least 1, got "${text}"`);
  return v;
}
