// The /proc reader on the real /proc of this test process and of children it starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ProcStatFormatError,
  listeningTcpPorts,
  machineBusyMs,
  parseProcessStat,
  processArgv,
  processCommandLine,
  processExecutable,
  processIds,
  processMemory,
  processRssBytes,
  processStat,
  processStats,
  processesBelow,
} from './proc.ts';

const NO_SUCH_PID = 2 ** 22 + 1; // above Linux's pid_max limit

/** Spins until this process has spent `ms` of CPU time (its own clock: on a loaded machine wall time buys less). */
const burnCpu = (ms: number) => {
  const t = process.cpuUsage();
  while (process.cpuUsage(t).user + process.cpuUsage(t).system < ms * 1000);
};

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A node child that says `ready` and waits (renamed to `title` first, if given); resolves once it is ready. */
async function startChild(title: string | null, ...extraArgs: string[]): Promise<ChildProcess> {
  const rename = title === null ? '' : `process.title = ${JSON.stringify(title)}; `;
  const script = `${rename}console.log('ready'); setTimeout(() => {}, 60000);`;
  const child = spawn(process.execPath, ['-e', script, ...extraArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready`)));
  });
  return child;
}

describe('parseProcessStat', () => {
  it('reads the fields after the last parenthesis, whatever the command name holds', () => {
    const line = '4242 (a) b (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 1 0 12345 0 0';
    expect(parseProcessStat(line)).toEqual({
      pid: 4242,
      comm: 'a) b (c',
      state: 'S',
      ppid: 17,
      pgrp: 4242,
      cpuMs: 2810,
    });
  });

  it('names a line that is not a stat line', () => {
    expect(() => parseProcessStat('hello')).toThrow(ProcStatFormatError);
    expect(() => parseProcessStat('12 (x) S 1')).toThrow('not a /proc/PID/stat line: "12 (x) S 1"');
  });
});

describe('reading processes from /proc', () => {
  it('reads this process: its parent, group, CPU time and memory', () => {
    const before = processStat(process.pid)!;
    burnCpu(300);
    const after = processStat(process.pid)!;
    expect(after).toMatchObject({ pid: process.pid, ppid: process.ppid, state: 'R' });
    expect(after.pgrp).toBeGreaterThan(0);
    // 300 ms of CPU time read back from /proc in 10 ms ticks
    expect(after.cpuMs - before.cpuMs).toBeGreaterThanOrEqual(200);
    expect(after.cpuMs).toBeLessThanOrEqual(process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 + 50);

    const memory = processMemory(process.pid)!;
    const rss = process.memoryUsage().rss;
    expect(memory.rssBytes).toBeGreaterThan(rss * 0.8);
    expect(memory.rssBytes).toBeLessThan(rss * 1.25);
    expect(memory.peakRssBytes).toBeGreaterThanOrEqual(memory.rssBytes);
    expect(processRssBytes(process.pid)).toBeGreaterThan(rss * 0.8);
    expect(processIds()).toContain(process.pid);
    expect(processStats().map((s) => s.pid)).toContain(process.pid);
  });

  it("reads a renamed child's comm and executable", async () => {
    // a title with a parenthesis and a space: the stat line's comm field must still parse
    const pid = (await startChild('nin) x')).pid!;
    expect(processStat(pid)).toMatchObject({ pid, ppid: process.pid, comm: 'nin) x' });
    expect(processExecutable(pid)).toBe(basename(process.execPath)); // the exe, not the renamed comm
    // Node writes the title over its argv memory, so the command line shows it too
    expect(processCommandLine(pid)).toBe('nin) x');
  });

  it("reads a child's arguments and place below this process, and nothing once it is gone", async () => {
    const child = await startChild(null, 'marker-arg', 'two words');
    const pid = child.pid!;
    expect(processArgv(pid)).toEqual([
      process.execPath,
      '-e',
      expect.stringContaining('ready'),
      'marker-arg',
      'two words',
    ]);
    expect(processCommandLine(pid)).toMatch(/ marker-arg two words$/);
    expect(processStat(pid)).toMatchObject({ pid, ppid: process.pid });
    expect(processesBelow(process.pid).map((s) => s.pid)).toContain(pid);
    expect(processesBelow(pid)).toEqual([]);
    // a grandchild is below too: below this process through the child
    const stats = [
      ...processStats(),
      { pid: NO_SUCH_PID, comm: 'x', state: 'S', ppid: pid, pgrp: NO_SUCH_PID, cpuMs: 0 },
    ];
    expect(processesBelow(process.pid, stats).map((s) => s.pid)).toEqual(expect.arrayContaining([pid, NO_SUCH_PID]));

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // reaped: nothing left to read
    expect(processStat(pid)).toBeNull();
    expect(processArgv(pid)).toBeNull();
    expect(processMemory(pid)).toBeNull();
    expect(processExecutable(pid)).toBeNull();
  });

  it('answers null or [] for a process that does not exist', () => {
    expect(processStat(NO_SUCH_PID)).toBeNull();
    expect(processCommandLine(NO_SUCH_PID)).toBeNull();
    expect(processRssBytes(NO_SUCH_PID)).toBeNull();
    expect(listeningTcpPorts(NO_SUCH_PID)).toEqual([]);
  });

  it("lists the TCP ports a process listens on: this process's own server, IPv4 and IPv6, and none after it closes", async () => {
    // resolves to the server and its port, or null where the host cannot be bound (no IPv6)
    const listen = (host: string) =>
      new Promise<{ server: Server; port: number } | null>((resolve) => {
        const server = createServer();
        server.on('error', () => resolve(null));
        server.listen(0, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
      });
    const v4 = (await listen('127.0.0.1'))!;
    const v6 = await listen('::1');
    try {
      const ports = listeningTcpPorts(process.pid);
      expect(ports).toContain(v4.port);
      if (v6) expect(ports).toContain(v6.port);
    } finally {
      await new Promise((r) => v4.server.close(r));
      if (v6) await new Promise((r) => v6.server.close(r));
    }
    expect(listeningTcpPorts(process.pid)).not.toContain(v4.port);
  });
});

describe('machineBusyMs', () => {
  it("grows by at least this process's own CPU time", () => {
    const machineBefore = machineBusyMs()!;
    const ownBefore = processStat(process.pid)!.cpuMs;
    burnCpu(300);
    const own = processStat(process.pid)!.cpuMs - ownBefore;
    const machine = machineBusyMs()! - machineBefore;
    expect(own).toBeGreaterThanOrEqual(200);
    // the machine's count includes this process's, give or take a tick per core
    expect(machine).toBeGreaterThanOrEqual(own - 50);
  });
});
