import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort, groupCpuMs, processExecutable, spawnProcessGroup } from './process-group.ts';

const exec = promisify(execFile);

/** Whether any process of group `pgid` is alive (signal 0 to the group). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('spawnProcessGroup', () => {
  it('runs a command in its own group, reads the CPU time of its processes, and stops all of them', async () => {
    // A child that renames itself (its comm is then no longer `node`, as on Node 24, whose main thread calls
    // itself `MainThread`), burns 400 ms of CPU, then starts a grandchild (same group) and waits. Measured by its own
    // CPU clock, not the wall clock: on a loaded machine 400 ms of wall time bought as little as 170 ms of CPU.
    const script = [
      "process.title = 'nin-renamed';",
      'const t = process.cpuUsage(); while (process.cpuUsage(t).user + process.cpuUsage(t).system < 400_000);',
      "require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });",
      "console.log('ready'); setTimeout(() => {}, 60000);",
    ].join(' ');
    const group = spawnProcessGroup([process.execPath, '-e', script], { cwd: process.cwd() });
    try {
      expect(await waitUntil(() => group.output().includes('ready'), 10_000)).toBe(true);
      expect(readFileSync(`/proc/${group.pid}/comm`, 'utf8').trim()).toBe('nin-renamed');
      expect(processExecutable(group.pid)).toBe(basename(process.execPath)); // `node`, whatever the comm
      expect(group.cpuMs(basename(process.execPath))).toBeGreaterThanOrEqual(300);
      expect(groupCpuMs(group.pid, 'nin-renamed')).toBe(0); // the comm is not what is matched
      expect(groupCpuMs(group.pid, 'no-such-command')).toBe(0);
      // Its processes: the child (renamed), the grandchild, the watchdog's shell.
      const processes = group.processes();
      expect(processes.find((p) => p.pid === group.pid)).toMatchObject({
        executable: basename(process.execPath),
        cmdline: expect.stringContaining('nin-renamed'),
      });
      expect(processes.find((p) => p.cmdline.endsWith(' -e setTimeout(() => {}, 60000)'))?.executable).toBe(
        basename(process.execPath),
      );
      expect(processes.length).toBeGreaterThanOrEqual(3);
    } finally {
      await group.stop(2000);
    }
    // The grandchild went with the group, not only the leader.
    expect(await waitUntil(() => !groupAlive(group.pid), 5000)).toBe(true);
  });

  it('ends the group when the process that started it dies without stopping it (the watchdog)', async () => {
    const module = fileURLToPath(new URL('./process-group.ts', import.meta.url));
    const parent = [
      `import { spawnProcessGroup } from ${JSON.stringify(module)};`,
      "const g = spawnProcessGroup(['sleep', '60'], { cwd: process.cwd() });",
      'console.log(g.pid); setTimeout(() => process.exit(0), 300);',
    ].join(' ');
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', parent]);
    const pgid = Number(stdout.trim());
    expect(pgid).toBeGreaterThan(1);
    expect(groupAlive(pgid)).toBe(true); // `sleep 60` outlived the process that started it ...
    expect(await waitUntil(() => !groupAlive(pgid), 8000)).toBe(true); // ... until the watchdog noticed
  });

  it('finds a free port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
