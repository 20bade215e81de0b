import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runNin } from '../../../test/fixtures/cli.ts';

const BIN = fileURLToPath(new URL('../../../bin/nin.js', import.meta.url));

describe('nin train', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-train-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    [['--size', '40'], /--size must be at least 67 for NiN, got 40/],
    [['--epochs', 'two'], /--epochs must be an integer/],
    [['--lr', '0'], /learning rate/],
    [['--schedule', 'step'], /schedule/],
    [['--bogus'], /bogus/],
    [['--optimizer', 'adam'], /optimizer must be one of sgd, adamw/],
    [['--temperature', '2'], /need --teacher/],
    [['--teacher', 'w.safetensors', '--distill-weight', '2'], /distillation weight/],
    [['--workers', '0'], /--workers must be at least 1/],
    [['--augment-shift', '1.5'], /--augment-shift must be an integer/],
    [['--decay-scope', 'biases'], /--decay-scope must be one of all, weights, got "biases"/],
    [['--resize', 'gpu'], /resize must be one of cpu, device/],
    [['--fit-schedule'], /--fit-schedule needs --max-minutes/],
  ])('rejects %j with exit 2 and one line that points at --help', async (args, message) => {
    const r = await runNin(['train', ...args]);
    expect(r.code).toBe(2);
    const line = expectOneLineError(r, 'train');
    expect(line).toMatch(message);
    expect(line).toContain('nin train --help');
  });

  it("--backend auto keeps Dawn's start-up warnings off stderr when it does not pick WebGPU", async () => {
    // The control: Dawn itself writes them to the process's stderr while it enumerates adapters (on lavapipe).
    const dawn = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { create } = await import('webgpu'); await create([]).requestAdapter(); process.exit(0);",
      ],
      { encoding: 'utf8' },
    );
    const dawnWarns = /artificially reduced/.test(dawn.stderr);
    const out = join(dir, 'auto');
    const r = await runNin([
      'train',
      '--backend',
      'auto',
      '--size',
      '67',
      '--batch',
      '8',
      '--limit',
      '8',
      '--epochs',
      '1',
      '--test-limit',
      '8',
      '--no-int8',
      '--no-progress',
      '--out',
      out,
      '--results',
      out,
      '--checkpoint-dir',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/maxDynamic|artificially reduced/);
    // Where Dawn warns (lavapipe), auto saw the software adapter from its quiet probe and trained on wasm.
    if (dawnWarns)
      expect(r.stderr).toMatch(/backend auto: picked wasm:simd; skipped .*webgpu \(software adapter: .*llvmpipe/);
  });

  it('Ctrl-C writes a checkpoint and exits 130; --resume finishes the run', async () => {
    const common = [
      'train',
      '--size',
      '67',
      '--batch',
      '8',
      '--epochs',
      '2',
      '--limit',
      '64',
      '--test-limit',
      '20',
      '--lr',
      '0.05',
      '--backend',
      'wasm',
      '--no-int8',
      '--out',
      dir,
      '--results',
      dir,
      '--checkpoint-dir',
      dir,
    ];
    const child = spawn(process.execPath, [BIN, ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exit = new Promise<number | null>((ok) => child.on('close', ok));
    await new Promise<void>((ok) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        // The first step has run once the bar shows a speed; interrupt then.
        if (/img\/s \| lr 0\.0/.test(stderr) || /epoch 1\/2 .*[1-9]\/8 steps/.test(stderr)) ok();
        if (/training NiN at 67/.test(stderr)) setTimeout(ok, 4000);
      }),
    );
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/checkpoint .*nin-fmnist-67\.ckpt\.safetensors \(continue with --resume\)/);
    expect(existsSync(join(dir, 'nin-fmnist-67.ckpt.safetensors'))).toBe(true);

    const r = await runNin([...common, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming from .* epoch [12], step [0-9]/);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'finished', epochs: 2, backend: 'wasm:simd' });
    expect(existsSync(join(dir, 'nin-fmnist-67.safetensors'))).toBe(true);
  });
});
