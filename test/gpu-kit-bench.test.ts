// The GPU kit's rehearsal of the bench harness: gpu-kit/bundle-bench.mjs's bundle (what run.sh's `harness` step
// runs on the NVIDIA machine) run here with plain Node from a folder with no node_modules, on Mesa lavapipe for
// WebGPU and Debian's CPU build of torch standing in for CUDA. Skips with the reason when either is missing.
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { probeWebgpuAdapterQuietly } from '../packages/core-nin/src/node/webgpu-probe.ts';
import type { BenchResults } from '../packages/bench/src/results/schema.ts';
import { readGpuInputs } from '../packages/bench/src/report/gpu-files.ts';
import { renderReport } from '../packages/bench/src/report/report.ts';

const exec = promisify(execFile);
const BUNDLER = fileURLToPath(new URL('../packages/core-nin/gpu-kit/bundle-bench.mjs', import.meta.url));
const WEIGHTS = fileURLToPath(new URL('../packages/core-nin/weights/nin-fmnist-224.safetensors', import.meta.url));
const PYTHON = process.env.NIN_BENCH_PYTHON ?? '/usr/bin/python3';

const torch = spawnSync(PYTHON, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
const adapter = await probeWebgpuAdapterQuietly();
const skip =
  torch.status !== 0
    ? `${PYTHON} has no torch (Debian: apt-get install python3-torch)`
    : !adapter?.found
      ? `no WebGPU adapter (${adapter ? adapter.reason : 'Dawn could not be asked'}; packages/core-nin/scripts/install-lavapipe.sh installs Mesa 25's lavapipe)`
      : '';

describe.skipIf(skip !== '')(
  `the GPU kit's bundled bench harness, rehearsed on lavapipe with CPU torch${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    // Bundling took 10 s and a six-row run of the bundle 56 s here beside the training run; this test took 322 s
    // when the 2 cores had a load average of 11.
    it(
      'runs tfjs cpu, webgpu and PyTorch from the bundle alone, writes results.json the report merges as the GPU section',
      { timeout: 480_000 },
      async () => {
        const work = await mkdtemp(join(tmpdir(), 'nin-kit-bench-'));
        try {
          const app = join(work, 'bench-app');
          // onnxruntime-node's 46 MB library is left out here: the rows rehearsed are the GPU's own and the reference.
          await exec(process.execPath, [BUNDLER, app, '--no-onnxruntime', '--dawn']);
          const out = join(work, 'OUT', 'bench-gpu');
          // As run.sh runs it: plain Node (no tsx), a working directory outside the repository, NIN_BENCH_PYTHON set.
          const { stdout } = await exec(
            process.execPath,
            [
              join(app, 'bench/nin-bench.mjs'),
              'run',
              '--profile',
              'smoke',
              '--size',
              '67',
              '--scenarios',
              'single-stream,agreement,extras',
              '--backends',
              'tfjs-cpu,tfjs-webgpu,pytorch-cpu,pytorch-cuda-fp32',
              '--weights',
              WEIGHTS,
              '--out',
              out,
            ],
            { cwd: work, env: { ...process.env, NIN_BENCH_PYTHON: PYTHON, NODE_OPTIONS: '' }, maxBuffer: 16 << 20 },
          );
          expect(stdout).toContain(`wrote ${join(out, 'bench/results.json')}`);
          const results = JSON.parse(await readFile(join(out, 'bench/results.json'), 'utf8')) as BenchResults;
          expect(results.format).toBe('nin-bench.results/2');
          expect(results.versions['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+$/); // baked in at bundle time
          const row = (id: string) => results.runs.find((r) => r.backend === id)!;
          expect(row('tfjs-cpu').status).toBe('ok');
          expect(row('tfjs-webgpu')).toMatchObject({
            status: 'ok',
            facts: { details: { adapter: adapter?.found ? adapter.adapter : 'none' } },
          });
          expect(row('tfjs-webgpu').agreement!.maxAbsLogitDiff).toBeLessThan(1e-4);
          // PyTorch standing in for CUDA: the seed's nn.Sequential computes what tfjs cpu computes
          const pytorch = row('pytorch-cpu');
          expect(pytorch).toMatchObject({
            status: 'ok',
            engine: 'pytorch',
            facts: { details: { interpreter: PYTHON } },
          });
          expect(pytorch.agreement!.maxAbsLogitDiff).toBeLessThan(1e-4);
          expect(pytorch.agreement!.top1MatchesReference).toBe(1);
          expect(pytorch.extras!.map((x) => x.name)).toContain('pipe to Node per call, batch 1');
          expect(row('pytorch-cuda-fp32')).toMatchObject({
            status: 'unavailable',
            reason: expect.stringMatching(/^no CUDA device: torch /),
          });

          // What finish.ts commits (results/bench-gpu/results.json) becomes the report's GPU section.
          const committed = join(work, 'results');
          await mkdir(join(committed, 'bench-gpu'), { recursive: true });
          await writeFile(join(committed, 'bench-gpu', 'results.json'), JSON.stringify(results));
          const md = renderReport(results, await readGpuInputs(committed));
          expect(md).toContain('## On a GPU (another machine)');
          expect(md).toMatch(/Taken by this harness \(`nin-bench run --profile smoke/);
          expect(md).toMatch(/\| PyTorch cpu \d threads? \| \d+ \| [\d.]+% \| 100\.00% \| [\d.]+e-\d \|/);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      },
    );
  },
);
