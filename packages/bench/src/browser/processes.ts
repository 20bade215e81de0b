import { readFileSync, readdirSync } from 'node:fs';

/** A process below this one (the browser Playwright started and its helpers), read from Linux /proc. */
export interface Descendant {
  readonly pid: number;
  /** Chromium's `--type=` (renderer, gpu-process, utility ...); `browser` for the main process */
  readonly type: string;
  /** user + system CPU time, ms */
  readonly cpuMs: number;
  /** peak resident set size (VmHWM), bytes */
  readonly peakRssBytes: number;
  /** resident set size now (VmRSS), bytes */
  readonly rssBytes: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux the bench runs on

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // gone meanwhile, or not Linux
  }
}

/** Every living descendant of `root` (default: this process), with its CPU time and memory; empty where /proc is missing. */
export function descendants(root = process.pid): Descendant[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
  const stats = new Map<number, { ppid: number; cpuMs: number }>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // the command name may hold spaces and parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.set(pid, { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
  }
  const below = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 64; p = stats.get(p)?.ppid, hops++)
      if (p === root) return true;
    return false;
  };
  const out: Descendant[] = [];
  for (const [pid, { cpuMs }] of stats) {
    if (!below(pid)) continue;
    const status = read(`/proc/${pid}/status`) ?? '';
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0');
    const type = cmdline.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
    out.push({ pid, type, cpuMs, peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') });
  }
  return out;
}
