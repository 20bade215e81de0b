import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { machineBusyMs as readMachineBusyMs, processCommandLine, processStats } from '@nin-bench/node-tools/proc';
import { versionPackages } from '../plan/catalog.ts';
import type { MachineInfo } from './schema.ts';

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
    if (pretty) return pretty;
  } catch {
    /* not Linux, or no os-release: fall back to Node's name */
  }
  return `${os.type()} ${os.release()}`;
}

interface CpuTimes {
  readonly cpuMs: number;
  readonly command: string;
}

/**
 * CPU time and command line of every other process (Linux /proc). Named by the command line, which is the same on
 * every Node version; the comm (Node 24's main thread calls itself `MainThread`) only for the processes without one
 * (kernel threads).
 */
function processCpuTimes(): Map<number, CpuTimes> {
  const out = new Map<number, CpuTimes>();
  for (const { pid, comm, cpuMs } of processStats()) {
    if (pid === process.pid) continue;
    const cmdline = processCommandLine(pid);
    if (cmdline !== null) out.set(pid, { cpuMs, command: cmdline || comm }); // null: the process ended meanwhile
  }
  return out;
}

/** A command line without interpreter noise (loader flags, absolute paths of node_modules), cut to 80 characters. */
export function shortCommand(command: string): string {
  const short = command
    .replace(/\s--(?:require|import|loader)[ =]\S+/g, '')
    .replace(/\s--[\w-]+(?==|\s|$)(?:=\S+)?/g, (flag) => (flag.includes('experimental') || flag.includes('max-old') ? '' : flag))
    .replace(/\S*\/node_modules\/(?:\.bin\/)?/g, '')
    .replace(/^\S*\/(node|bun|deno)\s/, '$1 ')
    .trim();
  return short.length > 80 ? `${short.slice(0, 79)}…` : short;
}

/**
 * The other processes using CPU right now (sampled over `sampleMs` from /proc; an empty list elsewhere), so a
 * reader can see what else was running while the bench measured.
 */
export async function busyProcesses(sampleMs = 1000, limit = 5): Promise<MachineInfo['busyProcesses']> {
  try {
    const before = processCpuTimes();
    await new Promise((r) => setTimeout(r, sampleMs));
    const after = processCpuTimes();
    const busy: { command: string; cpuPercent: number }[] = [];
    for (const [pid, now] of after) {
      const then = before.get(pid);
      if (!then) continue;
      const cpuPercent = Math.round(((now.cpuMs - then.cpuMs) / sampleMs) * 100);
      if (cpuPercent >= 5) busy.push({ command: shortCommand(now.command), cpuPercent });
    }
    return busy.sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, limit);
  } catch {
    return [];
  }
}

/** Busy CPU time of the whole machine so far (Linux /proc/stat: all but idle and iowait), ms; null elsewhere. */
export async function machineBusyMs(): Promise<number | null> {
  return readMachineBusyMs();
}

export const loadAverage = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

export async function machineInfo(loadAtStart: number[], loadAtEnd: number[], busy: MachineInfo['busyProcesses']): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    os: await osName(),
    kernel: os.release(),
    arch: os.arch(),
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    busyProcesses: busy,
  };
}

/** The version in the package.json above a resolved file (works for packages that do not export package.json). */
function versionAbove(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

const fromBench = createRequire(import.meta.url);
/** The core's folder; null in the GPU kit's bundle, which has no node_modules (its versions are baked in, below). */
const coreDir = (() => {
  try {
    return dirname(fromBench.resolve('@nin-bench/core-nin/package.json'));
  } catch {
    return null;
  }
})();
const fromCore = createRequire(coreDir ? join(coreDir, 'package.json') : import.meta.url);
/** The versions the GPU kit's bundler found installed (gpu-kit/bundle-bench.mjs defines this at bundle time). */
const BUNDLED_VERSIONS = process.env.NIN_BENCH_BUNDLED_VERSIONS;

function version(req: NodeRequire, name: string): string {
  try {
    return versionAbove(req.resolve(name), name);
  } catch {
    return 'not installed';
  }
}

/** The installed version of one of the core's dependencies (tfjs, Dawn ...). */
export const coreDependencyVersion = (name: string): string =>
  BUNDLED_VERSIONS ? ((JSON.parse(BUNDLED_VERSIONS) as Record<string, string>)[name] ?? 'not bundled') : version(fromCore, name);

/** The harness's own packages whose code is in every figure, beside the engines' (the registry's versionPackages), resolved from the bench. */
export const HARNESS_PACKAGES = ['tinybench'] as const;

/**
 * Versions of the packages whose code is measured, as installed: every catalog entry's `versionPackages`
 * (plan/catalog.ts), then the harness's and the core's. A package is looked up from the core (whose
 * dependencies the engines mostly are), then from the bench.
 */
export function packageVersions(): Record<string, string> {
  if (BUNDLED_VERSIONS) return JSON.parse(BUNDLED_VERSIONS) as Record<string, string>;
  const versions: Record<string, string> = {};
  for (const name of versionPackages()) {
    const fromTheCore = version(fromCore, name);
    versions[name] = fromTheCore === 'not installed' ? version(fromBench, name) : fromTheCore;
  }
  for (const name of HARNESS_PACKAGES) versions[name] = version(fromBench, name);
  versions['@nin-bench/core-nin'] = coreDir ? versionAbove(join(coreDir, 'package.json'), '@nin-bench/core-nin') : 'unknown';
  return versions;
}
