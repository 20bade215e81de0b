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
