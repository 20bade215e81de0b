import { execFile } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/results/schema.ts';
import { useTinyModel } from './test-support.ts';

const BIN = fileURLToPath(new URL('../bin/nin-bench.js', import.meta.url));
const exec = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { timeout: 170_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const tinyModel = useTinyModel();

describe('nin-bench CLI', () => {
  it('runs the smoke profile end to end: results JSON, report.md, charts; `report` regenerates the same page', async () => {
    const model = tinyModel();
    const out = join(model.dir, 'out');
    const run = await cli([
      'run',
      '--profile',
      'smoke',
      '--backends',
      'tfjs-cpu,onnxruntime-node-1t,tfjs-wasm-threads',
      '--weights',
      model.weightsPath,
      '--out',
      out,
    ]);
    expect(run.stderr).toContain('tfjs cpu @67px');
    expect(run.code).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'bench', 'results.json'), 'utf8')) as BenchResults;
    expect(results.runs.map((r) => [r.backend, r.status])).toEqual([
      ['tfjs-cpu', 'ok'],
      ['tfjs-wasm-threads', 'unavailable'],
      ['onnxruntime-node-1t', 'ok'],
    ]);
    const ort = results.runs[2];
    expect(ort.agreement?.images).toBe(results.runs[0].agreement?.images);
    expect(ort.agreement?.maxAbsLogitDiff).toBeLessThan(1e-3);
    expect(results.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.versions['onnxruntime-node']).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await readdir(out)).sort()).toEqual([
      'bench',
      'bench-latency-67.svg',
      'bench-throughput-67.svg',
      'report.md',
    ]);
    expect(await readdir(join(out, 'bench'))).toEqual(['results.json']); // the checkpoint is gone once the run completes

    const first = await readFile(join(out, 'report.md'), 'utf8');
    expect(first).toContain('| onnxruntime-node 1 thread |');
    await writeFile(join(out, 'report.md'), 'stale');
    const report = await cli(['report', '--out', out]);
    expect(report.code).toBe(0);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe(first);
    expect((await stat(join(out, 'bench-latency-67.svg'))).size).toBeGreaterThan(1000);
  });

  it('rejects bad arguments with one line that points at the usage (exit 2) and a missing results file with one line (exit 1)', async () => {
    const model = tinyModel();
    const unknown = await cli(['run', '--backends', 'tpu', '--weights', model.weightsPath]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown backend "tpu": choose from tfjs-cpu/);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('(see `nin-bench run --help`)');
    expect((await cli(['run', '--size', '20', '--weights', model.weightsPath])).stderr).toMatch(
      /--size must be at least 67 for NiN, got 20/,
    );
    expect((await cli(['run', '--scenarios', 'fastest'])).code).toBe(2);
    expect((await cli(['run', '--weights', join(model.dir, 'missing.safetensors')])).stderr).toMatch(/no such file/);
    const missing = await cli(['report', '--out', join(model.dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no results at .*run `npm run bench` first/);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});
