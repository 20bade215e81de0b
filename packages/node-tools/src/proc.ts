import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The one reader of Linux /proc: processes (their parent, group, CPU time, command line, executable, memory,
 * listening ports) and the machine's busy time. Everything here reads the live system and never throws: a process
 * that exits while it is read is simply absent (null, or missing from a list), and where there is no /proc
 * (not Linux) the lists are empty and the values null.
 */

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux ABI Node supports. */
export const CLOCK_TICKS_PER_SECOND = 100;
const MS_PER_TICK = 1000 / CLOCK_TICKS_PER_SECOND;

/** The fields of /proc/PID/stat the tools use. */
export interface ProcessStat {
  readonly pid: number;
  /** the main thread's name (15 characters at most; `process.title` changes it, Node 24 calls it `MainThread`) */
  readonly comm: string;
  /** R, S, D, Z ... */
  readonly state: string;
  readonly ppid: number;
  /** the process group */
  readonly pgrp: number;
  /** user + system CPU time so far (ms) */
  readonly cpuMs: number;
}

export class ProcStatFormatError extends Error {
  override readonly name = 'ProcStatFormatError';
}

/**
 * Parses one /proc/PID/stat line: `pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
 * utime stime ...`. The comm may hold spaces and parentheses, so the fields start after the last ')'.
 */
export function parseProcessStat(line: string): ProcessStat {
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  const fields = line.slice(close + 2).split(' ');
  if (open < 0 || close < open || fields.length < 13)
    throw new ProcStatFormatError(`not a /proc/PID/stat line: ${JSON.stringify(line.slice(0, 80))}`);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return {
    pid: Number(line.slice(0, open)),
    comm: line.slice(open + 2, close),
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuMs: (utime + stime) * MS_PER_TICK,
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // gone meanwhile, not ours to read, or not Linux
  }
}

/** The pids of every process now; [] where there is no /proc. */
export function processIds(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Process `pid`'s /proc/PID/stat; null once it is gone. */
export function processStat(pid: number): ProcessStat | null {
  const line = readText(`/proc/${pid}/stat`);
  return line === null ? null : parseProcessStat(line);
}

/** The stat of every process now (those that exit while this reads are left out). */
export function processStats(): ProcessStat[] {
  const out: ProcessStat[] = [];
  for (const pid of processIds()) {
    const stat = processStat(pid);
    if (stat) out.push(stat);
  }
  return out;
}

/** The processes below `root` (children, their children ...), from the parent pids in `stats` (default: now). */
export function processesBelow(root: number, stats: readonly ProcessStat[] = processStats()): ProcessStat[] {
  const parentOf = new Map(stats.map((s) => [s.pid, s.ppid]));
  const below = (pid: number): boolean => {
    // bounded: a pid reused while this reads could make the parent links loop
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && p > 0 && hops < 64; p = parentOf.get(p), hops++)
      if (p === root) return true;
    return false;
  };
  return stats.filter((s) => s.pid !== root && below(s.pid));
}

/** Process `pid`'s arguments (argv[0] first); [] for a zombie or a kernel thread; null once it is gone. */
export function processArgv(pid: number): string[] | null {
  const text = readText(`/proc/${pid}/cmdline`);
  if (text === null) return null;
  const argv = text.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
}

/** Process `pid`'s arguments joined by spaces ('' for a zombie or a kernel thread); null once it is gone. */
export function processCommandLine(pid: number): string | null {
  return processArgv(pid)?.join(' ').trim() ?? null;
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
    return readText(`/proc/${pid}/comm`)?.trim() ?? null;
  }
}

/** A process's memory, from /proc/PID/status. */
export interface ProcessMemory {
  /** resident set size now (VmRSS), bytes */
  readonly rssBytes: number;
  /** peak resident set size (VmHWM), bytes */
  readonly peakRssBytes: number;
}

/** Process `pid`'s memory now; zeros for a kernel thread (no VmRSS line); null once it is gone. */
export function processMemory(pid: number): ProcessMemory | null {
  const status = readText(`/proc/${pid}/status`);
  if (status === null) return null;
  const bytes = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rssBytes: bytes('VmRSS'), peakRssBytes: bytes('VmHWM') };
}

/** The resident memory of process `pid` now (VmRSS), bytes; null once it is gone. */
export function processRssBytes(pid: number): number | null {
  return processMemory(pid)?.rssBytes ?? null;
}

/**
 * The TCP ports process `pid` listens on (IPv4 and IPv6: its socket inodes matched against /proc/net/tcp{,6} rows
 * in LISTEN state), ascending; [] once the process is gone. wrangler dev does not print the port of the Worker's
 * own workerd socket (its entry proxy forwards to it), so the bench finds it this way.
 */
export function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readText(table); // null: no IPv6
    for (const row of text?.trim().split('\n').slice(1) ?? []) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Busy CPU time of the whole machine so far (/proc/stat: all but idle and iowait, every core), ms; null elsewhere. */
export function machineBusyMs(): number | null {
  const line = readText('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * MS_PER_TICK;
}
