// `npm run edge:serve` for the default build: the Worker as wrangler deploy bundles it, on one plain workerd process.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  groupProcesses,
  listeningTcpPorts,
  processExecutable,
  type ProcessGroup,
} from '@nin-bench/node-tools/process-group';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { expectWiredAs, startEdgeServe, until } from './serve.fixtures.ts';

const examples = join(EDGE_DIR, 'examples');

/** Every process below `root` (Linux /proc: parent pids). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  for (let queue = [root]; queue.length;) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

describe('edge:serve', () => {
  let serve: ProcessGroup | undefined;
  afterAll(() => serve?.stop());

  it('is wired as `npm run edge:serve`', () => expectWiredAs('serve', 'serve.ts'));

  it('serves the default build from one workerd process (no proxy), classifies, and stops whole on SIGINT', async () => {
    const { group, port, url, startLine } = await startEdgeServe([], (started) => (serve = started));
    expect(startLine).toContain(`${url} ready: the 100 px int8 litert-int8 build`);
    expect(startLine).toMatch(/no proxy; no rate limiter/);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ready', engine: 'litert-int8' });

    const png = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: readFileSync(join(examples, 'test-0000-ankle-boot.png')),
    });
    expect(png.status).toBe(200);
    expect(await png.json()).toMatchObject({ label: 'Ankle boot' });
    // the load test's other body: the same test image as 784 raw bytes
    const tile = readFileSync(join(examples, 'test-0000-ankle-boot.bin'));
    expect(tile.length).toBe(784);
    const raw = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: tile,
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toMatchObject({ label: 'Ankle boot' });

    // One workerd below edge:serve, and it is what listens on the port: nothing stands in front of the Worker.
    const workerds = descendants(group.pid).filter((pid) => processExecutable(pid) === 'workerd');
    expect(workerds).toHaveLength(1);
    const workerd = workerds[0]!;
    expect(startLine).toContain(`pid ${workerd}`);
    expect(listeningTcpPorts(workerd)).toEqual([port]);

    group.signal('SIGINT');
    await until('edge:serve to exit', () => (group.child.exitCode === null ? undefined : true), 15_000);
    expect(group.child.exitCode).toBe(0);
    expect(group.output()).toMatch(/^edge:serve: stopped$/m);
    // workerd ran in a process group of its own (pgid = its pid): all of it is gone
    await until('the workerd process group to end', () => (groupProcesses(workerd).length ? undefined : true), 5_000);
    expect(processExecutable(workerd)).toBeNull();
  }, 90_000);
});
