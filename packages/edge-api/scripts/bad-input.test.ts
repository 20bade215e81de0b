// The edge's npm scripts on bad input: one clear line (pointing at --help for a bad option or variable), a non-zero
// exit, no stack. The rules themselves are core-nin's cli-args (tested there); this checks each script uses them.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

async function run(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', script(name), ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('edge scripts on bad input', () => {
  it('edge weights: exit 2 for a bad size, exit 1 with what to do when there are no trained weights', async () => {
    const bad = await run('weights.ts', ['--size', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'edge weights: --size must be a positive integer, got "x" (see `npm run -w @nin-bench/edge-api weights -- --help`)',
    );
    const missing = await run('weights.ts', ['--size', '104']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no trained float32 weights at .*nin-fmnist-104\.safetensors: train first/);
  });

  it('edge:check: usage on --help, exit 2 for an unknown option, plan or build, before building anything', async () => {
    expect((await run('check-bundle.ts', ['--help'])).stdout).toMatch(/^usage: .*npm run edge:check/);
    for (const [args, env, message] of [
      [['--plan', 'paid'], {}, "Unknown option '--plan'"],
      [[], { EDGE_PLAN: 'free' }, 'EDGE_PLAN is gone: since 2026 every Workers plan has the same 64 MiB size limit'],
      [[], { EDGE_WEIGHTS: 'int4' }, 'EDGE_WEIGHTS must be one of float32, float16, int8, got "int4"'],
    ] as const) {
      const r = await run('check-bundle.ts', [...args], env);
      expect(r.code, message).toBe(2);
      expect(r.stderr.trim()).toBe(`edge:check: ${message} (see \`npm run edge:check -- --help\`)`);
    }
  });

  it('edge:dev: usage on --help, exit 2 for a bad variable, before starting wrangler', async () => {
    expect((await run('dev.ts', ['--help'])).stdout).toMatch(/^usage: .*npm run edge:dev/);
    const r = await run('dev.ts', [], { EDGE_WEIGHTS: 'int4' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'edge:dev: EDGE_WEIGHTS must be one of float32, float16, int8, got "int4" (see `npm run edge:dev -- --help`)',
    );
  });

  it('edge examples: exit 2 for any option (it takes none)', async () => {
    const r = await run('examples.ts', ['--out', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^edge examples: Unknown option '--out'/);
  });
});
