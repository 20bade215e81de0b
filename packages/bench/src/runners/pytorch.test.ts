import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIN_INPUT_SIZE, NinClassifier } from '@nin-bench/core-nin';
import { createRunner } from './pytorch.ts';

// The committed model: trained weights give logits far from zero, so agreement to 1e-4 means something.
const WEIGHTS = fileURLToPath(new URL('../../../core-nin/weights/nin-fmnist-224.safetensors', import.meta.url));
const PYTHON = process.env.NIN_BENCH_PYTHON ?? '/usr/bin/python3';
const torchProbe = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = torchProbe.status === 0;
const hasCuda =
  hasTorch &&
  spawnSync(PYTHON, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)']).status === 0;

/** Seeded pixels in [0, 1]. */
function pattern(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const size = MIN_INPUT_SIZE;
/** infer's logits, whether it returns them bare or with the engine's own time (`{ logits, durationMs }`). */
const logitsOf = (r: Float32Array | { readonly logits: Float32Array }): Float32Array =>
  r instanceof Float32Array ? r : r.logits;
const task = (options: Record<string, string | number | boolean>) => ({
  size,
  weightsPath: WEIGHTS,
  model: 'safetensors' as const,
  modelPath: WEIGHTS,
  options,
});

describe.skipIf(!hasTorch)(`pytorch runner (${PYTHON}, torch ${torchProbe.stdout.trim() || 'missing'})`, () => {
  const prevPython = process.env.NIN_BENCH_PYTHON;

  it('runs the seed nn.Sequential on our weights and agrees with tfjs cpu to 1e-4', async () => {
    process.env.NIN_BENCH_PYTHON = PYTHON;
    try {
      const runner = createRunner(task({ device: 'cpu', threads: 1 }));
      const facts = await runner.init();
      expect(facts).toMatchObject({
        engine: 'pytorch',
        details: { device: expect.any(String), threads: 1, interpreter: PYTHON },
      });
      const model = await runner.load();
      const input = pattern(3 * size * size, 11);
      const batch = { n: 3, images: new Uint8Array(3 * 784), input };
      const first = logitsOf(await model.infer(batch));
      const again = logitsOf(await model.infer(batch)); // the kept copy in Python: the same logits
      expect([...again]).toEqual([...first]);
      await (await import('@nin-bench/core-nin/node')).createNodeBackendRegistry().activate('cpu');
      const tfjs = await NinClassifier.fromSafetensors(new Uint8Array(await readFile(WEIGHTS)), { inputSize: size });
      const expected = await tfjs.logits(input, 3);
      expect(first).toHaveLength(30);
      const maxDiff = Math.max(...first.map((v, i) => Math.abs(v - expected[i])));
      expect(maxDiff).toBeLessThan(1e-4);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1);
      // More batches than Python keeps: the first is sent again once it has been dropped, with the same answer.
      for (let k = 0; k < 9; k++)
        await model.infer({ n: 1, images: new Uint8Array(784), input: pattern(size * size, 100 + k) });
      expect([...logitsOf(await model.infer(batch))]).toEqual([...first]);
      const extras = await model.extraMeasurements!({} as never);
      expect(extras.map((x) => x.name)).toEqual(['pipe to Node per call, batch 3', 'peak RSS of the Python process']);
      expect(extras[0].value).toBeGreaterThan(0);
      // the engine's own time comes with the logits: Python's clock, not the pipe's round trip
      expect(await model.infer(batch)).toMatchObject({
        logits: expect.any(Float32Array),
        durationMs: expect.any(Number),
      });
    } finally {
      if (prevPython === undefined) delete process.env.NIN_BENCH_PYTHON;
      else process.env.NIN_BENCH_PYTHON = prevPython;
    }
  });

  it.skipIf(hasCuda)('says why the CUDA rows cannot run on a torch without CUDA', async () => {
    process.env.NIN_BENCH_PYTHON = PYTHON;
    try {
      await expect(createRunner(task({ device: 'cuda', precision: 'strict' })).init()).rejects.toMatchObject({
        name: 'BackendUnavailableError',
        reason: expect.stringMatching(/^no CUDA device: torch \S+ \(/),
      });
    } finally {
      if (prevPython === undefined) delete process.env.NIN_BENCH_PYTHON;
      else process.env.NIN_BENCH_PYTHON = prevPython;
    }
  });

  it('fails a load of a missing weights file with the reason, not a hang', async () => {
    process.env.NIN_BENCH_PYTHON = PYTHON;
    try {
      const runner = createRunner({
        ...task({ device: 'cpu', threads: 1 }),
        weightsPath: '/nonexistent/w.safetensors',
      });
      await runner.init();
      await expect(runner.load()).rejects.toThrow(/FileNotFoundError: .*\/nonexistent\/w\.safetensors/);
    } finally {
      if (prevPython === undefined) delete process.env.NIN_BENCH_PYTHON;
      else process.env.NIN_BENCH_PYTHON = prevPython;
    }
  });
});

describe('pytorch runner without a Python', () => {
  it('is unavailable with the reason when the interpreter does not exist', async () => {
    const prev = process.env.NIN_BENCH_PYTHON;
    process.env.NIN_BENCH_PYTHON = '/nonexistent/python3';
    try {
      await expect(createRunner(task({ device: 'cpu' })).init()).rejects.toMatchObject({
        name: 'BackendUnavailableError',
        reason: expect.stringMatching(/could not start \/nonexistent\/python3: .*ENOENT/),
      });
    } finally {
      if (prev === undefined) delete process.env.NIN_BENCH_PYTHON;
      else process.env.NIN_BENCH_PYTHON = prev;
    }
  });
});
