import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { DEFAULT_EDGE_BUILD, ensureEdgeWeights, type EdgeBuild } from './edge-weights.ts';
import { REPO_ROOT, WRANGLER_CONFIG, offlineWranglerEnv, wranglerBin, wranglerEnvArgs } from './wrangler.ts';

export interface WranglerDevOptions {
  /** which Workers build (default: 224 px int8) */
  readonly build?: EdgeBuild;
  /** default: a free port */
  readonly port?: number;
  /** how long to wait for `/health` to answer 200 (default 120 s: the first request loads the model) */
  readonly readyTimeoutMs?: number;
  /**
   * What must answer 200 before the server counts as ready: `/health` (default) loads the model; `/` does not,
   * for callers that measure the model's load themselves.
   */
  readonly readyPath?: '/health' | '/';
}

export interface WranglerDev {
  readonly url: string;
  /** the wrangler process; it leads its own process group (workerd and the rest run inside it) */
  readonly pid: number;
  /** what the ready path (/health by default) answered */
  readonly health: Record<string, unknown>;
  /** CPU time (user + system, ms) used so far by the workerd processes of this `wrangler dev` (Linux /proc) */
  workerdCpuMs(): number;
  /** output so far (stdout and stderr) */
  log(): string;
  /** Stops wrangler and everything it started (the whole process group); resolves once wrangler has exited. */
  stop(): Promise<void>;
}

const WATCHDOG =
  'parent=$1; shift; ' +
  '( trap "" TERM; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -TERM 0; sleep 3; kill -KILL 0 ) >/dev/null 2>&1 & ' +
  'exec "$@"';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real `wrangler dev` (offline, on 127.0.0.1) in its own process group and waits until `/health`
 * says the model is loaded. Always pair with `stop()` (in afterAll / finally).
 */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
  const build = options.build ?? DEFAULT_EDGE_BUILD;
  await ensureEdgeWeights(build);
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const wrangler = [process.execPath, wranglerBin(), 'dev', '--config', WRANGLER_CONFIG, ...wranglerEnvArgs(build), '--ip', '127.0.0.1',
    '--port', String(port), '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false'];
  // A new process group led by a shell that becomes wrangler (exec), with a watchdog inside the group: should this
  // process die without calling stop() (a killed test run), the watchdog ends the group, so nothing is left behind.
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'wrangler-dev', String(process.pid), ...wrangler], {
    cwd: REPO_ROOT,
    env: offlineWranglerEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child, exited);
  try {
    const health = await waitForReady(`${url}${options.readyPath ?? '/health'}`, child, options.readyTimeoutMs ?? 120_000, () => output);
    return { url, pid: child.pid!, health, workerdCpuMs: () => groupCpuMs(child.pid!, 'workerd'), log: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForReady(readyUrl: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log().slice(-3000)}`);
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(60_000) });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
      if (res.status === 503) throw new Error(`the worker failed to load the model: ${last}`);
    } catch (e) {
      if ((e as Error).message.startsWith('the worker failed')) throw e;
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not ready after ${timeoutMs} ms (${last}):\n${log().slice(-3000)}`);
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is already gone */
    }
  };
  signal('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000).unref())]);
  // workerd may outlive wrangler for a moment; whatever is left of the group goes now.
  signal('SIGKILL');
  if (timedOut) await exited;
}

/** Sums utime + stime of the processes in a process group whose command is `comm` (Linux). */
export function groupCpuMs(pgid: number, comm: string): number {
  const ticksPerSecond = 100; // USER_HZ: 100 on every Linux ABI Node supports
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ... ; comm may hold spaces, so split after the last ')'
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid || name !== comm) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / ticksPerSecond;
}
