import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildTask } from './protocol.ts';

/**
 * Bundled (the GPU kit's esbuild bundle, gpu-kit/bundle-bench.mjs): this code runs from a `.mjs` file, the child's
 * entry is `entry.mjs` beside it and plain Node runs it. Otherwise the TypeScript sources run through tsx.
 */
export const BUNDLED = !import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(BUNDLED ? './entry.mjs' : './entry.ts', import.meta.url));
// tsx's loader, resolved from here so the child finds it whatever its working directory.
const LOADER_ARGS = BUNDLED ? [] : ['--import', import.meta.resolve('tsx')];

export interface ChildOutcome {
  /** everything the child reported, in order */
  readonly messages: ChildMessage[];
  /** set when the child did not finish cleanly: timeout, crash, non-zero exit; says what it was doing */
  readonly failure?: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly wallMs: number;
}

export interface SpawnOptions {
  /** the child is killed (SIGKILL) after this long, and the row says so */
  readonly timeoutMs: number;
  /** called for each message as it arrives (live progress) */
  readonly onMessage?: (message: ChildMessage) => void;
}

/** Keeps the last `limit` characters of a stream, for error reports. */
function tail(limit: number) {
  let text = '';
  return {
    push(chunk: Buffer) {
      text = (text + chunk.toString('utf8')).slice(-limit);
    },
    lastLine(): string {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return lines.at(-1) ?? '';
    },
  };
}

function describeActivity(messages: readonly ChildMessage[]): string {
  const last = [...messages].reverse().find((m) => m.type === 'progress');
  if (!last || last.type !== 'progress') return 'while starting';
  return `during ${last.scenario}${last.detail ? ` (${last.detail})` : ''}`;
}

/**
 * Runs one benchmark task in a fresh Node process: clean engine state, an honest cold start, no cross-talk
 * between engines. A crash or a hang becomes a `failure` in words, never an exception in the parent.
 */
export function runChildProcess(task: ChildTask, options: SpawnOptions): Promise<ChildOutcome> {
  const started = performance.now();
  const messages: ChildMessage[] = [];
  const stderr = tail(4000);
  const stdout = tail(2000);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...LOADER_ARGS, ENTRY, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    child.on('message', (m) => {
      const message = m as ChildMessage;
      messages.push(message);
      options.onMessage?.(message);
    });
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const done = messages.some((m) => m.type === 'done');
      let failure: string | undefined;
      if (spawnError) failure = `could not start the child process: ${spawnError.message}`;
      else if (timedOut)
        failure = `timed out after ${Math.round(options.timeoutMs / 1000)} s ${describeActivity(messages)}`;
      else if (!done || exitCode !== 0) {
        const how = signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
        const why = stderr.lastLine() || stdout.lastLine();
        failure = `child process ${how} ${describeActivity(messages)}${why ? `: ${why}` : ''}`;
      }
      resolve({ messages, failure, exitCode, signal, wallMs: performance.now() - started });
    });
  });
}

/**
 * Imports the harness and the core (every TypeScript file a runner loads) in a throwaway process, so that
 * tsx's transpile cache on disk is warm before the first measured child: cold starts then measure starting
 * a process, not transpiling TypeScript once after a fresh checkout. Failures are ignored: the real children
 * will report them.
 */
export function warmTranspileCache(timeoutMs = 120_000): Promise<void> {
  if (BUNDLED) return Promise.resolve(); // nothing to transpile
  const script = `await import(${JSON.stringify(new URL('./child.ts', import.meta.url).href)}); await import('@nin-bench/core-nin/node'); process.exit(0);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...LOADER_ARGS, '--input-type=module', '-e', script], {
      stdio: 'ignore',
      timeout: timeoutMs,
    });
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
}
