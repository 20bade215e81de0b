import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort, groupCpuMs, spawnProcessGroup } from './process-group.ts';

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
    // A child that burns ~400 ms of CPU, then starts a grandchild (same group) and waits.
    const script = `const t = Date.now(); while (Date.now() - t < 400); require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }); console.log('ready'); setTimeout(() => {}, 60000);`;
    const group = spawnProcessGroup([process.execPath, '-e', script], { cwd: process.cwd() });
    try {
      expect(await waitUntil(() => group.output().includes('ready'), 10_000)).toBe(true);
      expect(group.cpuMs('node')).toBeGreaterThanOrEqual(300);
      expect(groupCpuMs(group.pid, 'no-such-command')).toBe(0);
    } finally {
      await group.stop(2000);
    }
    // The grandchild went with the group, not only the leader.
    expect(await waitUntil(() => !groupAlive(group.pid), 5000)).toBe(true);
  });

  it('ends the group when the process that started it dies without stopping it (the watchdog)', async () => {
    const module = fileURLToPath(new URL('./process-group.ts', import.meta.url));
    const parent = `import { spawnProcessGroup } from ${JSON.stringify(module)}; const g = spawnProcessGroup(['sleep', '60'], { cwd: process.cwd() }); console.log(g.pid); setTimeout(() => process.exit(0), 300);`;
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
