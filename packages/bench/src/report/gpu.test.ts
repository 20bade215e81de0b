import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendRun, BenchResults } from '../results/schema.ts';
import { readGpuInputs } from './gpu-files.ts';
import { renderReport } from './report.ts';
import { readResults } from './write.ts';

// The committed H100 figures (gpu-kit/finish.ts's output) and the CPU fixture every report test uses.
const KIT_DIR = fileURLToPath(new URL('../../../../results/gpu/', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/results.json', import.meta.url));

let dir: string;
let cpu: BenchResults;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nin-bench-gpu-report-'));
  await mkdir(join(dir, 'gpu'));
  for (const f of ['summary.json', 'gpu-run.json']) await copyFile(join(KIT_DIR, f), join(dir, 'gpu', f));
  cpu = await readResults(FIXTURE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The CPU fixture dressed as a run of the harness on a GPU machine, with a PyTorch CUDA row. */
function gpuHarnessRun(): BenchResults {
  const ort = cpu.runs.find((r) => r.backend === 'onnxruntime-node-1t' && r.size === 67)!;
  const torch: BackendRun = {
    ...ort,
    backend: 'pytorch-cuda-fp32',
    label: 'PyTorch CUDA float32 (TF32 off)',
    engine: 'pytorch',
    facts: { engine: 'pytorch', version: '2.11.0+cu130', details: { device: 'NVIDIA H200', precision: 'strict' } },
    singleStream: { ...ort.singleStream!, p50: 0.9, p90: 1.25, p99: 2.5, min: 0.8 },
  };
  return {
    ...cpu,
    createdAt: '2026-12-24T10:00:00.000Z',
    command: 'nin-bench run --profile default --backends tfjs-cpu,pytorch-cuda',
    machine: { ...cpu.machine, cpuModel: 'Intel(R) Xeon(R) Platinum', cores: 16 },
    settings: { ...cpu.settings, sizes: [67] },
    runs: [...cpu.runs.filter((r) => r.size === 67), torch],
  };
}

describe('the GPU section', () => {
  it("shows the kit's H100 figures as another machine's, with the machine, the date and PyTorch as the peer", async () => {
    const gpu = await readGpuInputs(dir);
    expect(gpu.harness).toBeUndefined();
    const md = renderReport(cpu, gpu);
    const section = md.slice(md.indexOf('## On a GPU (another machine)'));
    expect(section).toMatch(/These rows come from another machine on another date/);
    expect(section).toContain(
      'The bench harness itself has not yet run on a GPU (no `results/bench-gpu/results.json`)',
    );
    expect(section).toContain(
      "Taken on 2026-11-27, 19:36 UTC by the GPU kit's own measurements, not by this harness: `packages/core-nin/gpu-kit/measure.ts`",
    );
    expect(section).toContain('- GPU: NVIDIA H100 80GB HBM3, driver 580.159.04, 81559 MiB, max SM clock 1980 MHz');
    expect(section).toContain('`nvidia / nvidia-h100-80gb-hbm3 / NVIDIA: 580.159.04 580.159.4.0`, a hardware adapter');
    expect(section).toContain('PyTorch 2.11.0+cu130 (CUDA 13.0');
    // batch 1 medians (ms) from gpu-run.json, sorted; p90/p99 do not exist in the kit's files and say so
    expect(section).toMatch(
      new RegExp(
        '\\| PyTorch CUDA default \\(TF32 convolutions\\) \\| 0\\.648 \\| not kept \\| not kept \\| 3980 \\| 1\\.00×' +
          ' \\|\\n\\| PyTorch CUDA float32 \\(TF32 off\\) \\| 1\\.06 \\|[^\\n]*\\n\\| tfjs webgpu \\(Dawn, Vulkan\\) \\|' +
          ' 1\\.86 \\|',
      ),
    );
    expect(section).toMatch(/\| tfjs webgpu \(Dawn, Vulkan\) \| 453 \| 4,947 \| 6,635 \| 5\.58× \|/);
    expect(section).toMatch(
      /\| tfjs webgpu \(Dawn, Vulkan\) \| 2 synthetic 224 px images[^\n]*? \| 3\.0e-8 \| 88\.81% on all 10,000 test images/,
    );
    expect(section).toContain('### Cold start\n\nNot measured by the kit');
    // the summary says which machine its recommendations are about, and the GPU's answer with its provenance
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## Cold start'));
    expect(summary).toContain(
      '_The recommendations above are about this machine: AMD EPYC, 2 cores, 2026-11-27. The GPU figures below come from another machine on another date._',
    );
    expect(summary).toMatch(
      new RegExp(
        '- \\*\\*On an NVIDIA GPU\\*\\* \\(another machine: NVIDIA H100 80GB HBM3, 2026-11-27; taken by the GPU' +
          " kit's `measure\\.ts` and `torch_bench\\.py`, not by this harness\\): single images: PyTorch CUDA" +
          ' default \\(TF32 convolutions\\) 0\\.648 ms',
      ),
    );
  });

  it("shows the harness's own GPU run in the CPU rows' tables, the kit's figures after it", async () => {
    await mkdir(join(dir, 'bench-gpu'), { recursive: true });
    await writeFile(join(dir, 'bench-gpu', 'results.json'), JSON.stringify(gpuHarnessRun()));
    await writeFile(
      join(dir, 'bench-gpu', 'nvidia-smi.csv'),
      'name, driver_version, memory.total [MiB], clocks.max.sm [MHz]\nNVIDIA H200, 580.1, 143771 MiB, 1980 MHz\n',
    );
    try {
      const gpu = await readGpuInputs(dir);
      const md = renderReport(cpu, gpu);
      const section = md.slice(md.indexOf('## On a GPU (another machine)'));
      expect(section).not.toContain('has not yet run on a GPU');
      expect(section).toContain(
        'Taken by this harness (`nin-bench run --profile default --backends tfjs-cpu,pytorch-cuda`, profile `smoke`, 67 px) on 2026-12-24, 10:00 UTC',
      );
      expect(section).toContain(
        '- GPU: NVIDIA H200, driver 580.1, 143771 MiB, max SM clock 1980 MHz\n- Host: Intel(R) Xeon(R) Platinum, 16 cores',
      );
      expect(section).toContain(
        '- PyTorch CUDA float32 (TF32 off): pytorch 2.11.0+cu130 (device: NVIDIA H200, precision: strict)',
      );
      expect(section).toMatch(/\| PyTorch CUDA float32 \(TF32 off\) \| 0\.9 \| 1\.25 \| 2\.5 \| 0\.8 \|/);
      expect(section).toMatch(
        /Rows that did not run there:\n\n- tfjs wasm SIMD\+threads: unavailable \(impossible under Node/,
      );
      expect(section.indexOf("### Earlier: the kit's own measurements")).toBeGreaterThan(
        section.indexOf('### Cold start (ms)'),
      );
      expect(md).toContain(
        '- **On an NVIDIA GPU** (NVIDIA H200, 2026-12-24, this harness): single images p50 onnxruntime-node' +
          ' 1 thread 0.857 ms, PyTorch CUDA float32 (TF32 off) 0.9 ms, ',
      );
      expect(md).toMatch(/; batches: onnxruntime-node 1 thread 518 images\/s \(batch 4\), /);
    } finally {
      await rm(join(dir, 'bench-gpu'), { recursive: true, force: true });
    }
  });

  it('adds nothing without GPU results, and refuses files that are not what they claim', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'nin-bench-gpu-none-'));
    try {
      const none = await readGpuInputs(empty);
      expect(none).toEqual({});
      expect(renderReport(cpu, none)).not.toMatch(/On a GPU|NVIDIA/);
      expect(renderReport(cpu, none)).toBe(renderReport(cpu));
      await mkdir(join(empty, 'gpu'));
      await writeFile(join(empty, 'gpu', 'summary.json'), '{"kind": "something-else"}');
      await expect(readGpuInputs(empty)).rejects.toThrow(
        /gpu\/summary\.json is not the GPU kit's summary \(kind "something-else"/,
      );
      await writeFile(join(empty, 'gpu', 'summary.json'), '{');
      await expect(readGpuInputs(empty)).rejects.toThrow(/summary\.json is not valid JSON/);
      await rm(join(empty, 'gpu'), { recursive: true });
      await mkdir(join(empty, 'bench-gpu'));
      await writeFile(join(empty, 'bench-gpu', 'results.json'), '{"format": "other/1"}');
      await expect(readGpuInputs(empty)).rejects.toThrow(/bench-gpu\/results\.json is not a nin-bench results file/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
