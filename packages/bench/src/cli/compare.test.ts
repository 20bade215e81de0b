import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BenchResults } from '../results/schema.ts';
import { readResults } from '../report/write.ts';
import { decodeSamples, encodeSamples } from '../stats/samples.ts';
import { main } from './main.ts';

const WITH_SAMPLES = new URL('../../test/fixtures/results-samples.json', import.meta.url).pathname;
const SUMMARIES_ONLY = new URL('../../test/fixtures/results.json', import.meta.url).pathname;

/** Runs `nin-bench ...` in this process; returns its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void (stdout += `${a.join(' ')}\n`));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void (stderr += `${a.join(' ')}\n`));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    log.mockRestore();
    err.mockRestore();
  }
}

let dir: string;
let slower: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nin-bench-compare-'));
  const run = await readResults(WITH_SAMPLES);
  // tfjs wasm SIMD's offline batch 1 samples 30% slower
  const changed: BenchResults = {
    ...run,
    runs: run.runs.map((r) =>
      r.backend !== 'tfjs-wasm-simd'
        ? r
        : {
            ...r,
            offline: r.offline!.map((o) =>
              o.batch !== 1
                ? o
                : {
                    ...o,
                    latency: {
                      ...o.latency!,
                      p50: o.latency!.p50 * 1.3,
                      samplesFloat32Base64: encodeSamples(
                        decodeSamples(o.latency!.samplesFloat32Base64!).map((v) => v * 1.3),
                      ),
                    },
                  },
            ),
          },
    ),
  };
  slower = join(dir, 'slower.json');
  await writeFile(slower, JSON.stringify(changed));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nin-bench compare', () => {
  it('exits 0 on a run against itself', async () => {
    const r = await cli(['compare', WITH_SAMPLES, WITH_SAMPLES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No row is slower');
    expect(r.stdout).not.toContain('| **slower** |');
  });

  it('exits 1 and names the row when one is 30% slower', async () => {
    const r = await cli(['compare', WITH_SAMPLES, slower]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('**1 row(s) slower** than the base by more than 5% with significance: tfjs wasm SIMD');
    expect(r.stdout.match(/\*\*slower\*\* \|/g)).toHaveLength(1);
    expect(r.stdout).toMatch(
      /\| tfjs wasm SIMD[^|]* \| 67 \| offline, batch 1 \|.* \| 1\.30× \|.*\| \*\*slower\*\* \|/,
    );
  });

  it('--json gives the comparison as data; --threshold moves the gate', async () => {
    const r = await cli(['compare', WITH_SAMPLES, slower, '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { rows: { verdict: string }[]; thresholdPercent: number };
    expect(json.thresholdPercent).toBe(5);
    expect(json.rows.filter((row) => row.verdict === 'slower')).toHaveLength(1);
    expect((await cli(['compare', WITH_SAMPLES, slower, '--threshold', '50'])).code).toBe(0);
  });

  it('reads a file from before samples were kept', async () => {
    const r = await cli(['compare', SUMMARIES_ONLY, SUMMARIES_ONLY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no samples');
  });

  it('bad usage exits 2 with one line; a missing file exits 1 with one line', async () => {
    const one = await cli(['compare', WITH_SAMPLES]);
    expect(one.code).toBe(2);
    expect(one.stderr.trim()).toBe(
      'nin-bench compare: compare takes two results files, BASE and NEW; got 1 (see `nin-bench compare --help`)',
    );
    const threshold = await cli(['compare', WITH_SAMPLES, WITH_SAMPLES, '--threshold', 'x']);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('--threshold must be a number');
    const missing = await cli(['compare', WITH_SAMPLES, join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `nin-bench compare: no results at ${join(dir, 'nope.json')}: run \`npm run bench\` first`,
    ]);
  });
});
