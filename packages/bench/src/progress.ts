import cliProgress from 'cli-progress';

/** What the orchestrator tells whoever watches: which backend and scenario runs, how much of the plan is done. */
export interface Progress {
  /** `total` is in planned milliseconds, so the ETA weighs slow steps as slow */
  start(total: number): void;
  update(done: number, backend: string, activity: string): void;
  /** a finished row, in one line */
  note(line: string): void;
  stop(): void;
}

/** A live bar with ETA on a terminal (stderr); plain lines elsewhere (CI logs, tests). */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    let last = '';
    return {
      start() {},
      update(_done, backend, activity) {
        const line = `${backend}: ${activity}`;
        if (line !== last) stream.write(`  ${line}\n`);
        last = line;
      },
      note(line) {
        stream.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {bar} {percentage}% | ETA {eta_formatted} | {backend} | {activity}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      // Recompute the ETA as time passes, not only on updates: a slow backend can go a minute between messages.
      etaAsynchronousUpdate: true,
      formatTime: (t, options, round) =>
        Number.isFinite(t) && t > 0 ? cliProgress.Format.TimeFormat(t, options, round) : '…',
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start(total) {
      bar.start(Math.max(1, Math.round(total)), 0, { backend: '', activity: 'starting' });
    },
    update(done, backend, activity) {
      bar.update(Math.round(done), { backend, activity });
    },
    note(line) {
      // cli-progress redraws over the current line: clear it, print, and let the bar redraw below.
      stream.write(`\r\x1b[K${line}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}

/** A progress sink that shows nothing (for callers that want only the results). */
export const silentProgress: Progress = { start() {}, update() {}, note() {}, stop() {} };
