import { processArgv, processMemory, processesBelow } from '@nin-bench/node-tools/proc';

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

/** Every living descendant of `root` (default: this process), with its CPU time and memory; empty where /proc is missing. */
export function descendants(root = process.pid): Descendant[] {
  return processesBelow(root).map(({ pid, cpuMs }) => {
    const memory = processMemory(pid) ?? { rssBytes: 0, peakRssBytes: 0 };
    const type =
      processArgv(pid)
        ?.find((a) => a.startsWith('--type='))
        ?.slice('--type='.length) ?? 'browser';
    return { pid, type, cpuMs, peakRssBytes: memory.peakRssBytes, rssBytes: memory.rssBytes };
  });
}
