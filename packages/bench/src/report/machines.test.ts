import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../results/schema.ts';
import { main } from '../cli/main.ts';
import { machineName } from './machines.ts';
import { renderReport } from './report.ts';
import { readMachines, readResults } from './write.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/results.json', import.meta.url));
const WITH_SAMPLES = fileURLToPath(new URL('../../test/fixtures/results-samples.json', import.meta.url));
const KIT_DIR = fileURLToPath(new URL('../../../../results/gpu/', import.meta.url));
const NVIDIA_SMI =
  'name, driver_version, memory.total [MiB], clocks.max.sm [MHz]\nNVIDIA H200, 580.1, 143771 MiB, 1980 MHz\n';

let dir: string;
let first: BenchResults;
let second: BenchResults;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nin-bench-machines-'));
  first = await readResults(FIXTURE);
  // the smoke run with samples, dressed as another machine: both measured tfjs wasm SIMD and onnxruntime-node at 67 px
  const smoke = await readResults(WITH_SAMPLES);
  second = { ...smoke, machine: { ...smoke.machine, cpuModel: 'AMD EPYC 9654', cores: 16 } };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('several machines in one report', () => {
  it('one file: no machine sections (the golden test pins that report)', () => {
    expect(renderReport(first, undefined, { others: [] })).toBe(renderReport(first));
    expect(renderReport(first)).not.toContain('## Other machines');
  });

  it('a section per further machine, and ratios over the rows both measured', () => {
    const md = renderReport(first, undefined, { file: 'a.json', others: [{ file: 'b.json', results: second }] });
    const others = md.slice(md.indexOf('## Other machines'));
    expect(others).toContain('### Machine 2: AMD EPYC 9654, 16 cores');
    expect(others).toContain('From `b.json`.');
    expect(others).toContain(
      `Everything above is one machine: ${first.machine.cpuModel}, ${first.machine.cores} cores (\`a.json\`)`,
    );
    expect(others).toContain('#### Single-stream latency, batch 1 (ms)');
    const across = md.slice(md.indexOf('## Across machines'));
    const here = first.runs.find((r) => r.backend === 'onnxruntime-node-1t' && r.size === 67)!.singleStream!.p50;
    const there = second.runs.find((r) => r.backend === 'onnxruntime-node-1t' && r.size === 67)!.singleStream!.p50;
    const ratio = there / here;
    expect(across).toMatch(
      new RegExp(
        `\\| onnxruntime-node 1 thread \\| 67 \\| [\\d.,]+ \\| [\\d.,]+ \\| ${(ratio < 10 ? ratio.toFixed(2) : '').replace('.', '\\.')}`,
      ),
    );
    // rows the other machine did not measure (tfjs cpu, 71 px) are not in the ratio table
    expect(across).not.toContain('| tfjs cpu |');
    expect(across).not.toContain('| 71 |');
  });

  it('a folder is its results.json files; the GPU harness run is one more machine, named by its nvidia-smi.csv', async () => {
    const results = join(dir, 'results');
    await mkdir(join(results, 'bench'), { recursive: true });
    await mkdir(join(results, 'bench-gpu'), { recursive: true });
    await mkdir(join(results, 'gpu'), { recursive: true });
    for (const f of ['summary.json', 'gpu-run.json']) await copyFile(join(KIT_DIR, f), join(results, 'gpu', f));
    await writeFile(join(results, 'bench', 'results.json'), JSON.stringify(first));
    await writeFile(join(results, 'bench-gpu', 'results.json'), JSON.stringify(second));
    await writeFile(join(results, 'bench-gpu', 'nvidia-smi.csv'), NVIDIA_SMI);
    const machines = await readMachines([results]);
    expect(machines.map((m) => m.file)).toEqual([
      join(results, 'bench', 'results.json'),
      join(results, 'bench-gpu', 'results.json'),
    ]);
    expect(machineName(machines[1])).toBe('NVIDIA H200 (host: AMD EPYC 9654, 16 cores)');

    const out = join(dir, 'out');
    // the GPU kit's files sit in the report's output folder, as in the repository's results/
    await mkdir(join(out, 'gpu'), { recursive: true });
    await mkdir(join(out, 'bench-gpu'), { recursive: true });
    for (const f of ['summary.json', 'gpu-run.json']) await copyFile(join(KIT_DIR, f), join(out, 'gpu', f));
    await copyFile(join(results, 'bench-gpu', 'results.json'), join(out, 'bench-gpu', 'results.json'));
    await copyFile(join(results, 'bench-gpu', 'nvidia-smi.csv'), join(out, 'bench-gpu', 'nvidia-smi.csv'));
    const code = await main(['report', join(results, 'bench', 'results.json'), join(out, 'bench-gpu'), '--out', out]);
    expect(code).toBe(0);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('### Machine 2: NVIDIA H200 (host: AMD EPYC 9654, 16 cores)');
    expect(md).toContain('- GPU: NVIDIA H200, driver 580.1');
    // shown once, as a machine; the GPU section keeps the kit's own figures, saying they are not harness results
    expect(md.match(/Taken by this harness/g)).toHaveLength(1);
    const gpu = md.slice(md.indexOf('## On a GPU (another machine)'));
    const heading = '"Machine 2: NVIDIA H200 (host: AMD EPYC 9654, 16 cores)"';
    expect(gpu).toContain(`The bench harness's own run on the GPU machine is in ${heading} above.`);
    expect(gpu).not.toContain('has not yet run on a GPU');
    // the kit has no cold start; the harness's run on the GPU has one, and the summary's GPU bullet points there too
    expect(gpu).toContain(`The harness measured it on the GPU machine: see "Cold start (ms)" under ${heading} above.`);
    expect(gpu).not.toContain('once the harness runs on the GPU');
    const bullet = md.split('\n').find((l) => l.startsWith('- **On an NVIDIA GPU** (NVIDIA H200, '));
    expect(bullet?.endsWith(`See ${heading}.`)).toBe(true);
  });

  it('one line for a folder without results', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(readMachines([empty])).rejects.toThrow(/^no results\.json in .*empty or its subfolders/);
  });
});
