import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { processCommandLine, processExecutable, processStats } from './proc.ts';

// The per-process readers a group's users need alongside it (one import for the edge runner and scripts).
export { listeningTcpPorts, processExecutable, processRssBytes } from './proc.ts';

/**
 * A server process (wrangler dev and the workerd it starts) run in its own process group, so that it can be
 * stopped whole and its CPU time read whole. Light on purpose (node: modules only): the bench's edge runner
 * imports it through `@nin-bench/node-tools/process-group`.
 */
export interface ProcessGroup {
  /** the group's leader: a shell that execs the command; its pid is the group id */
  readonly pid: number;
  readonly child: ChildProcess;
  /** resolves when the leader has exited */
  readonly exited: Promise<void>;
  /** stdout and stderr so far */
  output(): string;
  /** the group's processes now: pid, executable, command line, CPU time (Linux /proc) */
  processes(): GroupProcess[];
  /** user + system CPU time (ms) of the group's processes running the executable named `executable` (Linux /proc) */
  cpuMs(executable: string): number;
  /** sends `sig` to every process of the group, now (for an `exit` handler, which cannot wait) */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM to the group (servers clean up on it), SIGKILL to what is left after `graceMs`; resolves once the leader is gone */
  stop(graceMs?: number): Promise<void>;
}

// The group's leader is a shell that starts a watchdog inside the group and then becomes the command (exec).
// The watchdog ignores SIGTERM and polls the spawning process: should that die without stopping the group (a
// killed test run, a bench child past its timeout), it ends the group, TERM then KILL, so nothing is left behind.
const WATCHDOG =
  'parent=$1; shift; ' +
  '( trap "" TERM; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -TERM 0; sleep 3; kill -KILL 0 ) >/dev/null 2>&1 & ' +
  'exec "$@"';

/** Starts `argv` in a new process group, with the watchdog above. */
export function spawnProcessGroup(
  argv: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
): ProcessGroup {
  if (argv.length === 0) throw new TypeError('spawnProcessGroup: no command');
  const child = spawn('/bin/sh', ['-c', WATCHDOG, argv[0], String(process.pid), ...argv], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${argv[0]}`);
  const pgid = child.pid;
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is already gone */
    }
  };
  return {
    pid: pgid,
    child,
    exited,
    output: () => output,
    processes: () => groupProcesses(pgid),
    cpuMs: (executable) => groupCpuMs(pgid, executable),
    signal,
    async stop(graceMs = 5000) {
      signal('SIGTERM');
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      // A server's children may outlive it for a moment; whatever is left of the group goes now.
      signal('SIGKILL');
      if (timedOut) await exited;
    },
  };
}

/** One process of a group, as /proc saw it. */
export interface GroupProcess {
  readonly pid: number;
  /** see processExecutable */
  readonly executable: string | null;
  /** its arguments joined by spaces ('' for a zombie) */
  readonly cmdline: string;
  /** user + system CPU time so far (ms) */
  readonly cpuMs: number;
}

/** The processes in process group `pgid` now (Linux /proc; none where there is no /proc). */
export function groupProcesses(pgid: number): GroupProcess[] {
  const out: GroupProcess[] = [];
  for (const { pid, pgrp, cpuMs } of processStats()) {
    if (pgrp !== pgid) continue;
    const cmdline = processCommandLine(pid);
    if (cmdline === null) continue; // exited meanwhile
    out.push({ pid, executable: processExecutable(pid), cmdline, cpuMs });
  }
  return out;
}

/**
 * Sums utime + stime (ms) of the processes in process group `pgid` that run the executable named `executable`
 * (see processExecutable; Linux /proc).
 */
export function groupCpuMs(pgid: number, executable: string): number {
  let ms = 0;
  for (const p of groupProcesses(pgid)) if (p.executable === executable) ms += p.cpuMs;
  return ms;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
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
