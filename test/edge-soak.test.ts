// End to end: `nin-bench soak` against the real `wrangler dev` it starts (a short soak; `npm run edge:soak` runs
// 10,000 requests), and its one-line failure when nothing answers.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '@nin-bench/node-tools/process-group';
import type { SoakResult } from '../packages/bench/src/edge/soak.ts';

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL('../packages/bench/bin/nin-bench.js', import.meta.url));

describe('nin-bench soak', () => {
  it('soaks the real endpoint (the default build, int8 engine): no errors, the same answer for the same image, wasm memory flat, RSS measured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nin-soak-'));
    try {
      const json = join(dir, 'soak.json');
      const { stdout } = await exec(
        process.execPath,
        [
          BIN,
          'soak',
          // the default build: LiteRT.js int8 (the tfjs engine's soak: the bench's edge row, test/bench-edge-row.test.ts)
          '--requests',
          '300',
          '--rounds',
          '3',
          '--clients',
          '8',
          '--images',
          '40',
          '--json',
          json,
        ],
        { timeout: 240_000 },
      );
      expect(stdout).toMatch(/soak passed/);
      const result = JSON.parse(await readFile(json, 'utf8')) as SoakResult;
      expect(result).toMatchObject({
        requests: 300,
        errors: 0,
        distinctImages: 40,
        inconsistentImages: 0,
        wasmMemoryFlat: true,
        passed: true,
      });
      expect(result.rounds.map((r) => [r.kind, r.clients, r.requests])).toEqual([
        ['concurrent', 8, 100],
        ['sequential', 1, 100],
        ['concurrent', 8, 100],
      ]);
      // The Worker's own process was found and measured (wrangler dev's second workerd, not its proxy).
      for (const s of result.snapshots) expect(s.workerRssBytes).toBeGreaterThan(20 * 2 ** 20);
      expect(result.rssGrowth).not.toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 260_000);

  it('says in one line that nothing answers, and exits 1', async () => {
    const port = await freePort();
    const r = await exec(process.execPath, [BIN, 'soak', '--url', `http://127.0.0.1:${port}`, '--requests', '10'], {
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^npm warn/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nin-bench soak: nothing answers at http:\/\/127\.0\.0\.1:\d+\/health/);
  });

  it('rejects bad options with exit 2', async () => {
    const r = await exec(process.execPath, [BIN, 'soak', '--requests', 'many'], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--requests must be a positive integer/);
    const engine = await exec(process.execPath, [BIN, 'soak', '--engine', 'pytorch'], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(engine.code).toBe(2);
    expect(engine.stderr).toMatch(/--engine must be one of tfjs, onnxruntime-int8, litert-int8, got "pytorch"/);
  });
});
