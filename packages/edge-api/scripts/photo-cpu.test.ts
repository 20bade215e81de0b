// The photo-cpu script, tiny: the default build served on plain workerd, the tile and one photo size, its JSON.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EDGE_DIR } from '../src/node/edge-weights.ts';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('./photo-cpu.ts', import.meta.url));

describe('photo-cpu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'photo-cpu-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is wired as an npm script', () => {
    const edge = JSON.parse(readFileSync(join(EDGE_DIR, 'package.json'), 'utf8'));
    expect(edge.scripts['photo-cpu']).toBe('tsx scripts/photo-cpu.ts');
  });

  it('measures the tile and a 256 px JPEG on the default build and writes a well-formed JSON', async () => {
    const out = join(dir, 'photo-cpu.json');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const v of ['EDGE_SIZE', 'EDGE_WEIGHTS', 'EDGE_ENGINE']) delete env[v];
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', script, '--requests', '3', '--warmup', '1', '--sizes', '256', '--out', out],
      { cwd: EDGE_DIR, env, timeout: 90_000 },
    );
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(new Date(results.date).getTime()).toBeGreaterThan(Date.now() - 120_000);
    expect(results.machine.cpuModel).toEqual(expect.any(String));
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.node).toBe(process.version);
    expect(results.workerd).toMatch(/^workerd \d{4}-\d{2}-\d{2}$/);
    expect(results.build).toMatchObject({
      name: '100 px int8 litert-int8',
      inputSize: 100,
      engine: 'litert-int8',
    });
    expect(results.build.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(results).toMatchObject({ requests: 3, warmup: 1, freePlanCpuMs: 10 });
    expect(results.photo).toMatchObject({ variant: 'colour-jpeg', jpegQuality: 90, aspect: 1 });

    const [tile, photo] = results.rows;
    expect(results.rows).toHaveLength(2);
    expect(tile).toMatchObject({
      longSide: null,
      width: 28,
      height: 28,
      bytes: 784,
      contentType: 'application/octet-stream',
      fit: 'tile',
      label: 'Ankle boot',
    });
    expect(photo).toMatchObject({
      longSide: 256,
      width: 256,
      height: 256,
      contentType: 'image/jpeg',
      fit: 'photo',
      requests: 3,
    });
    expect(photo.bytes).toBeGreaterThan(1000);
    for (const row of results.rows) {
      // /proc counts 10 ms ticks: over 3 requests a multiple of 10/3 ms
      expect(row.cpuMsPerRequest).toBeGreaterThanOrEqual(0);
      expect(Math.abs(row.cpuMsPerRequest * 3 - Math.round(row.cpuMsPerRequest * 0.3) * 10)).toBeLessThan(0.01);
      expect(row.latencyMsP50).toBeGreaterThan(0);
      expect(Object.keys(row.serverTimingMs)).toEqual(expect.arrayContaining(['decode', 'tile', 'inference', 'total']));
    }
    // the largest size within 10 ms is the photo or nothing, as its CPU says
    expect(results.largestWithinFreePlan).toEqual(
      photo.cpuMsPerRequest <= 10
        ? { longSide: 256, megapixels: photo.megapixels, cpuMsPerRequest: photo.cpuMsPerRequest }
        : null,
    );
    expect(stdout).toMatch(/^\| picture \| pixels \| bytes \| Worker CPU per request \(ms\) \|/m);
    expect(stdout).toMatch(/^\| 256 px JPEG photo \| 256 x 256 \(0\.07 MP\) \| [\d,]+ \| \d+\.\d\d \|/m);
  }, 120_000);
});
