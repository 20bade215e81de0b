import cliProgress from 'cli-progress';

/** A progress bar on stderr in the classic style, or null when the run draws none (one log line per epoch instead). */
export function progressBar(draw: boolean, options: cliProgress.Options): cliProgress.SingleBar | null {
  return draw
    ? new cliProgress.SingleBar({ stream: process.stderr, ...options }, cliProgress.Presets.shades_classic)
    : null;
}
