import { ms, percent, sig, small, table, times } from './format.ts';
import { prose } from '../text/prose.ts';
import { gpuLine, when, type GpuInputs, type KitLoop, type KitRun, type KitSummary } from './gpu.ts';

/** The GPU kit's own figures (gpu-kit/measure.ts, torch_bench.py): not the harness's, so tables of their own. */

/** A row of the kit's figures, in the harness's terms where they exist. */
export interface KitRow {
  readonly label: string;
  readonly loops: readonly KitLoop[];
}

export function kitRows(run: KitRun | undefined): KitRow[] {
  const torch = run?.['torch-bench']?.inference ?? [];
  const rows: KitRow[] = [
    { label: 'tfjs webgpu (Dawn, Vulkan)', loops: run?.['webgpu-bench']?.inference ?? [] },
    { label: 'PyTorch CUDA float32 (TF32 off)', loops: torch.filter((l) => l.precision?.startsWith('float32')) },
    {
      label: 'PyTorch CUDA default (TF32 convolutions)',
      loops: torch.filter((l) => l.precision?.startsWith('default')),
    },
  ];
  return rows.filter((r) => r.loops.length > 0);
}

export const kitDate = (kit: NonNullable<GpuInputs['kit']>): string | undefined =>
  kit.run?.probe?.date ?? kit.run?.['webgpu-bench']?.date ?? kit.run?.['torch-bench']?.date;

/** The kit's measure.ts / torch_bench.py figures, in the CPU rows' tables as far as they go. */
const NO_COLD_START = 'Not measured by the kit: its loops start once the engine is up.';

type Adapter = NonNullable<KitSummary['webgpuAdapter']>;
const adapterKind = (a: Adapter): string =>
  a.software === false ? ', a hardware adapter (not a software driver)' : a.software ? ', a SOFTWARE adapter' : '';
const binding = (a: Adapter): string =>
  a.maxStorageBufferBindingSize ? `; max storage binding ${sig(a.maxStorageBufferBindingSize / 2 ** 30)} GiB` : '';

type Kit = NonNullable<GpuInputs['kit']>;

const loopAt = (r: KitRow, batch: number) => r.loops.find((l) => l.batch === batch);

/** Where the figures come from, and the machine: the GPU, its WebGPU adapter, PyTorch's build, the host, the model. */
function kitIntro(kit: Kit): string[] {
  const { summary, run } = kit;
  const adapter = summary.webgpuAdapter;
  const t = summary.torch;
  const host = summary.node;
  const size = run?.['webgpu-bench']?.model?.size ?? run?.['torch-bench']?.model?.size ?? summary.forwardParity?.size;
  const date = kitDate(kit);
  return [
    prose`Taken on ${date ? when(date) : 'a date the files do not record'} by the GPU kit's own measurements, not by this
      harness: \`packages/core-nin/gpu-kit/measure.ts\` for tfjs webgpu and \`torch_bench.py\` for PyTorch, in one
      device call of \`run.sh\` (files \`results/gpu/summary.json\` and \`gpu-run.json\`). Each loop times calls that
      wait for the logits, after warm-up calls; the kit keeps each loop's median and its calls per second, not the
      samples, so p90, p99 and margins of error do not exist for these rows.`,
    '',
    `- GPU: ${gpuLine(summary.machine).text}`,
    ...(adapter?.adapter
      ? [
          `- WebGPU adapter (Dawn, the \`webgpu\` package): \`${adapter.adapter}\`${adapterKind(adapter)}${binding(adapter)}`,
        ]
      : []),
    ...(t
      ? [
          prose`- PyTorch ${t.torch ?? '?'} (CUDA ${t.cuda ?? '?'}, cuDNN ${t.cudnn ?? '?'}, Python ${t.python ?? '?'};
            cudnn.benchmark ${t.cudnnBenchmark ?? '?'}) on ${t.device ?? 'the same GPU'}: strict float32 (TF32 off, what
            WebGPU computes in) and PyTorch's default (cuDNN may use TF32 for convolutions)`,
        ]
      : []),
    ...(host
      ? [
          `- Host: ${host.cpuModel ?? '?'}, ${host.cpus ?? '?'} cores; Node ${host.node ?? '?'}, tfjs ${host.tfjs ?? '?'}`,
        ]
      : []),
    `- Model: NiN at ${size ?? '?'} px, timed on seeded random weights (the time of a forward pass does not depend on the values)`,
  ];
}

/** Batch 1: each row's median, fastest first. */
function kitLatencyTable(rows: readonly KitRow[]): string {
  const one = rows.filter((r) => loopAt(r, 1)).sort((a, b) => loopAt(a, 1)!.medianMs - loopAt(b, 1)!.medianMs);
  return table(
    ['Backend', 'p50 (median, ms)', 'p90', 'p99', 'calls', '× fastest p50'],
    one.map((r) => {
      const l = loopAt(r, 1)!;
      return [
        r.label,
        ms(l.medianMs),
        'not kept',
        'not kept',
        String(l.iterations),
        times(l.medianMs / loopAt(one[0], 1)!.medianMs),
      ];
    }),
  );
}

/** Images per second at every batch the kit ran, and the largest batch against the fastest row there. */
function kitThroughputTable(rows: readonly KitRow[]): string {
  const batches = [...new Set(rows.flatMap((r) => r.loops.map((l) => l.batch)))].sort((a, b) => a - b);
  const best = new Map(batches.map((b) => [b, Math.max(...rows.map((r) => loopAt(r, b)?.imagesPerSecond ?? 0))]));
  return table(
    ['Backend', ...batches.map((b) => `batch ${b}`), 'largest batch vs fastest'],
    rows.map((r) => {
      const last = batches.filter((b) => loopAt(r, b)).at(-1);
      return [
        r.label,
        ...batches.map((b) => (loopAt(r, b) ? sig(loopAt(r, b)!.imagesPerSecond) : '—')),
        last === undefined ? '—' : times(best.get(last)! / loopAt(r, last)!.imagesPerSecond),
      ];
    }),
  );
}

/** The kit's forward-pass parity probe and test accuracy on webgpu; PyTorch is compared on the CPU only. */
function kitAgreementTable(summary: KitSummary): string {
  const parity = summary.forwardParity;
  const accuracy = summary.training?.testAccuracyGpu;
  return table(
    ['Backend', 'compared on', 'max |Δ logit| vs tfjs cpu', 'top-1 accuracy'],
    [
      [
        'tfjs webgpu (Dawn, Vulkan)',
        parity
          ? prose`${parity.batch} synthetic ${parity.size} px images, He-scaled random weights (largest |logit|
            ${sig(parity.maxAbsLogit)}), the kit's probe`
          : 'not compared',
        parity ? small(parity.maxAbsDiff) : '—',
        accuracy
          ? prose`${percent(accuracy.accuracy, 2)} on all ${accuracy.images.toLocaleString('en-US')} test images with the
            trained weights (\`nin eval\` on webgpu)`
          : '—',
      ],
      [
        'PyTorch CUDA',
        prose`not compared on the GPU: torch_bench.py times random weights; the seed's \`nn.Sequential\` on our weights
          matches tfjs cpu to 1e-4 on the CPU (core-nin parity test; the pytorch-cpu row)`,
        '—',
        '—',
      ],
    ],
    ['l', 'l', 'r', 'l'],
  );
}

/** The kit's training step: images per second of tfjs webgpu and PyTorch, when the kit timed it. */
function kitTrainingLines(summary: KitSummary): string[] {
  const train = summary.trainImagesPerSecond;
  if (!train) return [];
  const trainer = summary.training?.trainer ? `\`${summary.training.trainer}\`'s` : "the kit trainer's";
  const against = (label: string, imagesPerSecond: number) => [
    label,
    sig(imagesPerSecond),
    times(imagesPerSecond / train.typescriptWebgpu),
  ];
  return [
    '',
    `### Training step (images/s, batch ${train.batch}, ${train.size} px)`,
    '',
    prose`Forward, loss, backward and the optimizer's step${train.note ? ` (${train.note})` : ''}; tfjs webgpu ran
      ${trainer} step.`,
    '',
    table(
      ['Backend', 'images/s', '× tfjs webgpu'],
      [
        ['tfjs webgpu (Dawn, Vulkan)', sig(train.typescriptWebgpu), '1.00×'],
        against('PyTorch CUDA float32 (TF32 off)', train.pytorchCudaFloat32),
        against('PyTorch CUDA default (TF32 convolutions)', train.pytorchCudaDefault),
      ],
    ),
  ];
}

/**
 * The kit's tables. `harnessColdStart`: where the report shows the harness's cold start on the GPU machine (the kit
 * measures none), absent when the harness has not run there.
 */
export function kitTables(kit: Kit, harnessColdStart?: string): string[] {
  const rows = kitRows(kit.run);
  return [
    ...kitIntro(kit),
    '',
    `### Single-stream latency, batch 1 (ms)`,
    '',
    kitLatencyTable(rows),
    '',
    '### Throughput (images/s)',
    '',
    "calls × batch / loop seconds: close to the harness's batch × 1000 / mean latency, without its margin of error.",
    '',
    kitThroughputTable(rows),
    '',
    '### Agreement with tfjs cpu',
    '',
    kitAgreementTable(kit.summary),
    '',
    '### Cold start',
    '',
    harnessColdStart
      ? `${NO_COLD_START} The harness measured it on the GPU machine: see ${harnessColdStart}.`
      : `${NO_COLD_START} The harness's cold-start scenario gives it once the harness runs on the GPU.`,
    ...kitTrainingLines(kit.summary),
  ];
}
