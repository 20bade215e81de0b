import { WeightsError } from '../../weights/errors.ts';
import { MIN_INPUT_SIZE } from '../../model/architecture.ts';
import { WEIGHTS_DIR, defaultWeightsPath } from '../weights-file.ts';

/** A `nin` subcommand: its own file, its own argument parsing, an exit code out. */
export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

/** Bad arguments: printed with the command's usage, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliUsageError(`${flag} must be a positive integer, got "${text}"`);
  return Number(text);
}

/** `--size N`, checked against NiN's smallest input. */
export function inputSizeFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const size = positiveInteger('--size', text);
  if (size < MIN_INPUT_SIZE) throw new CliUsageError(`--size must be at least ${MIN_INPUT_SIZE} for NiN, got ${size}`);
  return size;
}

/** `--weights F`, or the trained weights; without either, says how to get some. */
export function weightsPathFlag(text: string | undefined): string {
  if (text !== undefined) return text;
  const path = defaultWeightsPath();
  if (path === null) {
    throw new WeightsError(`no trained weights in ${WEIGHTS_DIR}: train them with \`npm run train\` (nin train), or pass --weights F.safetensors`);
  }
  return path;
}
