import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A server process (wrangler dev and the workerd it starts) run in its own process group, so that it can be
 * stopped whole and its CPU time read whole. Light on purpose (node: modules only): the bench's edge runner
 * imports it through `@nin-bench/core-nin/node/process-group` without loading tfjs.
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

/**
 * The file name of the executable process `pid` runs (`node`, `workerd`): the basename of /proc/PID/exe, which
 * the process cannot rename. Not /proc/PID/comm, the main thread's name: since Node 24 that reads `MainThread`,
 * and `process.title` sets it to anything. Falls back to comm where exe cannot be read (another user's process,
 * a kernel thread); null once the process is gone.
 */
export function processExecutable(pid: number | string): string | null {
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    return exe.slice(exe.lastIndexOf('/') + 1);
  } catch {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return null;
    }
  }
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

/** The processes in process group `pgid` now (Linux /proc; throws where there is none). */
export function groupProcesses(pgid: number): GroupProcess[] {
  const ticksPerSecond = 100; // USER_HZ: 100 on every Linux ABI Node supports
  const out: GroupProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ... ; comm may hold spaces, so split after the last ')'
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    out.push({ pid: Number(entry), executable: processExecutable(entry), cmdline, cpuMs });
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

/**
 * The TCP ports process `pid` listens on (IPv4 and IPv6; Linux /proc: its socket inodes matched against
 * /proc/net/tcp{,6} rows in LISTEN state), ascending; [] once the process is gone. wrangler dev does not print the
 * port of the Worker's own workerd socket (its entry proxy forwards to it), so the bench finds it this way.
 */
export function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let rows: string[];
    try {
      rows = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue; // no IPv6
    }
    for (const row of rows) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** The resident memory of process `pid` now (VmRSS, Linux /proc), bytes; null once it is gone. */
export function processRssBytes(pid: number): number | null {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null; // exited meanwhile
  }
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
