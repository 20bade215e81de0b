// The edge's npm scripts on bad input: one clear line (and the usage for a bad option), a non-zero exit, no stack.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

async function run(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', script(name), ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('edge scripts on bad input', () => {
  it('edge:latency: usage on --help, exit 2 with the usage for a bad option or value, exit 1 when nothing answers', async () => {
    const help = await run('latency.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run edge:latency/);
    for (const [args, message] of [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--requests', '0'], '--requests must be a whole number of at least 1, got "0"'],
      [['--url', 'nope'], '--url must be a URL'],
    ] as const) {
      const r = await run('latency.ts', [...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`edge:latency: ${message}`);
      expect(r.stderr).toContain('usage: npm run edge:latency');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    const size = await run('latency.ts', [], { EDGE_SIZE: '50' });
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('no edge build for 50 px int8: offered are 224 px int8');
    const closed = await run('latency.ts', ['--url', 'http://127.0.0.1:9']);
    expect(closed.code).toBe(1);
    expect(closed.stderr.trim()).toMatch(/^edge:latency: nothing answers at http:\/\/127\.0\.0\.1:9\/health/);
    expect(closed.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('edge weights: exit 2 for a bad size, exit 1 with what to do when there are no trained weights', async () => {
    expect((await run('weights.ts', ['--size', 'x'])).code).toBe(2);
    const missing = await run('weights.ts', ['--size', '100']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no trained float32 weights at .*nin-fmnist-100\.safetensors: train first/);
  });

  it('edge:check: usage on --help, exit 2 for an unknown option, plan or build, before building anything', async () => {
    expect((await run('check-bundle.ts', ['--help'])).stdout).toMatch(/^usage: .*npm run edge:check/);
    for (const [args, env, message] of [
      [['--plan', 'paid'], {}, "Unknown option '--plan'"],
      [[], { EDGE_PLAN: 'toString' }, 'EDGE_PLAN must be free or paid, got "toString"'],
      [[], { EDGE_WEIGHTS: 'int4' }, 'EDGE_WEIGHTS must be one of float32, float16, int8, got "int4"'],
    ] as const) {
      const r = await run('check-bundle.ts', [...args], env);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(`edge:check: ${message}`);
    }
  });
});
