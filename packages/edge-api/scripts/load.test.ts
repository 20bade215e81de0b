// `npm run edge:load` against `npm run edge:serve` (the default build on a free port): short runs, binary bodies kept
// binary, statuses counted; and nothing listening is one line and exit 1.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { expectWiredAs, startEdgeServe } from './serve.fixtures.ts';

const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));
const examples = join(EDGE_DIR, 'examples');

/** Runs load.ts to its end: exit code, stdout, stderr. */
function load(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', loadScript, ...args], { timeout: 60_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('edge:load', () => {
  let serve: ProcessGroup | undefined;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'edge-load-test-'));

  beforeAll(async () => {
    ({ url } = await startEdgeServe(['--quiet'], (group) => (serve = group)));
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is wired as `npm run edge:load`', () => expectWiredAs('load', 'load.ts'));

  it('posts the 784 raw bytes from 4 connections for 3 s: every request answered 2xx, no error', async () => {
    const json = join(dir, 'summary.json');
    const { code, stdout, stderr } = await load([
      '--url',
      url,
      '--duration',
      '3',
      '--connections',
      '4',
      '--json',
      json,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`POST ${url}/predict (784 bytes, application/octet-stream) from 4 connections for 3 s`);
    expect(stdout).toMatch(/^errors: 0, of them timeouts \(over 10 s\): 0$/m);
    expect(stdout).toMatch(/^latency: p50 \d+ ms, p90 \d+ ms, p99 \d+ ms, max \d+ ms$/m);
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    // a body mangled on the way (read as text) would not be 784 bytes, and the endpoint would answer 400
    expect(summary.body).toMatchObject({ bytes: 784, contentType: 'application/octet-stream' });
    expect(summary.answered).toBeGreaterThan(10);
    expect(summary.status2xx).toBe(summary.answered);
    expect(summary.otherStatuses).toEqual({});
    expect(summary).toMatchObject({ errors: 0, timeouts: 0, failed: false, connections: 4 });
    expect(summary.requestsPerSecond).toBeGreaterThan(0);
    expect(stdout).toMatch(
      new RegExp(
        `^requests: \\d+ sent, ${summary.answered} answered in [\\d.]+ s; ${summary.answered} 2xx; no other status$`,
        'm',
      ),
    );
  }, 60_000);

  it('posts a PNG as image/png, and counts each other status (a text body: 400) without failing on it', async () => {
    const file = join(examples, 'test-0000-ankle-boot.png');
    const png = await load(['--url', url, '--duration', '1', '--connections', '2', '--body', file]);
    expect(png.code).toBe(0);
    expect(png.stdout).toContain(`(${readFileSync(file).length} bytes, image/png)`);
    expect(png.stdout).toMatch(/; (\d+) 2xx; no other status$/m);

    const text = join(dir, 'not-a-picture.txt');
    writeFileSync(text, 'not a picture');
    const bad = await load(['--url', url, '--duration', '1', '--connections', '2', '--body', text]);
    expect(bad.code).toBe(0);
    expect(bad.stdout).toMatch(/; 0 2xx; other statuses 400: \d+$/m);
  }, 60_000);

  it('says in one line that nothing listens, and exits 1', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await load(['--url', `http://127.0.0.1:${port}`, '--duration', '3']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `edge:load: cannot reach http://127.0.0.1:${port} (ECONNREFUSED): ` +
        'is the endpoint running? `npm run edge:serve` starts it\n',
    );
  });
});
