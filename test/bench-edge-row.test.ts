// End to end: `nin-bench run --backends edge-96-tfjs` (the 96 px build's edge row) starts the real `wrangler dev` through `npm run edge:dev`, measures
// /predict over HTTP, reads workerd's CPU per request from /proc, and stops the server when it is done.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../packages/bench/src/results/schema.ts';

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL('../packages/bench/bin/nin-bench.js', import.meta.url));
// The 96 px model keeps the run short; the edge serves it with EDGE_SIZE=96, which the runner sets.
const WEIGHTS = fileURLToPath(new URL('../packages/core-nin/weights/nin-fmnist-96.safetensors', import.meta.url));

/**
 * Process ids of the workerd processes serving the 96 px model (`EDGE_SIZE=96` in their environment): the
 * ones this run starts, not a dev server another test may have up.
 */
async function edge96Workerds(): Promise<string[]> {
  const pids: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The executable, not /proc/PID/comm (a thread's name, which a process may change: Node 24's reads `MainThread`)
      if (basename(await readlink(`/proc/${entry}/exe`)) !== 'workerd') continue;
      if ((await readFile(`/proc/${entry}/environ`, 'latin1')).split('\0').includes('EDGE_SIZE=96')) pids.push(entry);
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

describe('the bench edge row', () => {
  it('measures the real endpoint: latency, agreement, server CPU per request with the plan it fits, 4-client throughput', async () => {
    const out = await mkdtemp(join(tmpdir(), 'nin-bench-edge-'));
    expect(await edge96Workerds()).toEqual([]);
    try {
      const run = exec(
        process.execPath,
        [BIN, 'run', '--profile', 'smoke', '--backends', 'edge-96-tfjs', '--weights', WEIGHTS, '--out', out],
        { timeout: 280_000 },
      );
      // Watch the server come up, so that the check after the run (none left) cannot pass by not seeing it.
      let seen = 0;
      let running = true;
      const watch = (async () => {
        while (running) {
          seen = Math.max(seen, (await edge96Workerds()).length);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const { stderr } = await run.finally(() => (running = false));
      await watch;
      expect(seen).toBeGreaterThan(0);
      expect(stderr).toContain('edge endpoint');
      const results = JSON.parse(await readFile(join(out, 'bench', 'results.json'), 'utf8')) as BenchResults;
      const [edge] = results.runs;
      expect(edge).toMatchObject({ backend: 'edge-96-tfjs', remote: true, size: 96, status: 'ok' });
      expect(edge.facts?.details).toMatchObject({
        servedWeights: 'int8, 96 px',
        servedEngine: 'tfjs',
        workerBackend: 'wasm:simd',
      });
      // The WebAssembly peak probe ran inside the Worker (GET /probe, served because the runner starts edge:dev with
      // EDGE_PEAK_PROBE=on): the row's "% of peak" is read against the Worker's own figures.
      expect(edge.facts?.details?.wasmPeakRuntime).toMatch(/^the Worker \(/);
      expect(edge.facts?.details?.wasmPeakFloat32Gflops).toBeGreaterThan(0);
      expect(edge.facts?.details?.wasmPeakInt8Gops).toBeGreaterThan(0);
      // The timed loops went straight to the Worker's own workerd socket, past wrangler dev's entry proxy ...
      expect(String(edge.facts?.details?.transport)).toMatch(/^HTTP\/1\.1 loopback to the Worker's own workerd socket/);
      expect(edge.singleStream!.p50).toBeGreaterThan(0);
      // The int8 96 px model on its first test images: the agreement slice is classified, with labels to check.
      expect(edge.agreement!.images).toBeGreaterThanOrEqual(4);

      const cpu = edge.extras!.find((x) => x.name === 'Worker CPU per request')!;
      expect(typeof cpu.value).toBe('number');
      // A 96 px forward pass is ~108 M multiply-adds: a few ms at the least, never zero or seconds.
      expect(cpu.value as number).toBeGreaterThan(1);
      expect(cpu.value as number).toBeLessThan(2000);
      expect(cpu.verdict).toMatch(/(Free plan|Workers Paid).*per million requests/);
      // wrangler dev's two workerd together cost more than the Worker alone (its proxy is not free).
      const total = edge.extras!.find((x) => x.name === 'workerd CPU per request, Worker + local proxy')!;
      expect(total.value as number).toBeGreaterThanOrEqual(cpu.value as number);
      // ... and what the proxy adds is measured beside them.
      const proxy = edge.extras!.find((x) => x.name === "latency p50 through wrangler dev's entry proxy")!;
      expect(proxy.value as number).toBeGreaterThan(0);
      expect(proxy.note).toMatch(
        /straight to the Worker's own socket \(\d+, p50 [\d.]+ ms\): the local proxy, which a deployment does not have, adds -?[\d.]+ ms/,
      );
      const tput = edge.extras!.find((x) => x.name === 'throughput, 4 concurrent clients')!;
      expect(tput.value as number).toBeGreaterThan(0);
      expect(tput.note).toMatch(/p50 [\d.]+ ms, p99 [\d.]+ ms/);
      // The 96 px model one image at a time: a few tens of MiB of wasm memory, under the isolate's 128 MB.
      const memory = edge.extras!.find((x) => x.name === 'Worker wasm memory')!;
      expect(memory.value as number).toBeGreaterThan(4);
      expect(memory.verdict).toMatch(/^\d+% of the 128 MB a Workers isolate may use/);

      // The profile's soak (60 requests in the smoke profile): all answered, the same answer each time, memory flat.
      const soak = edge.extras!.find((x) => x.name === 'soak, 60 requests')!;
      expect(soak.value).toBe(60);
      expect(soak.verdict).toMatch(/^soak passed/);

      const report = await readFile(join(out, 'report.md'), 'utf8');
      expect(report).toContain('## Runner-specific measurements');
      // Only the edge ran, so it is the summary's fastest row; its CPU verdict follows.
      expect(report).toMatch(
        /- \*\*edge endpoint 96 px, tfjs wasm SIMD:\*\* Worker CPU per request: [\d.]+ ms, (fits the Free plan|needs Workers Paid)/,
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    // The runner's wrangler dev is gone with it (its watchdog ends the process group).
    let left: string[] = [];
    for (let i = 0; i < 20; i++) {
      left = await edge96Workerds();
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(left).toEqual([]);
  });
});
