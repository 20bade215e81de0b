import type { BackendRun, BenchResults } from '../results/schema.ts';
import { ms, percent, sig, small, table, times } from './format.ts';

/**
 * The report's GPU section: figures from a machine with an NVIDIA GPU, which is never the machine `npm run bench`
 * ran on. Two sources, both committed JSON: the bench harness itself run there (`results/bench-gpu/results.json`,
 * same schema as the CPU run), and the GPU kit's own measurements (`results/gpu/summary.json` and `gpu-run.json`,
 * from gpu-kit/measure.ts and torch_bench.py). Pure, like the rest of the report: write.ts reads the files.
 */

/** The fields of gpu-kit/finish.ts's summary.json this section reads. */
export interface KitSummary {
  readonly kind: 'nin-gpu-summary';
  readonly machine: string;
  readonly webgpuAdapter?: {
    readonly adapter?: string;
    readonly software?: boolean;
    readonly maxStorageBufferBindingSize?: number;
  };
  readonly torch?: {
    readonly python?: string;
    readonly torch?: string;
    readonly cuda?: string;
    readonly cudnn?: number;
    readonly device?: string;
    readonly cudnnBenchmark?: boolean;
  };
  readonly node?: {
    readonly node?: string;
    readonly cpus?: number;
    readonly cpuModel?: string;
    readonly tfjs?: string;
  };
  readonly forwardParity?: {
    readonly size: number;
    readonly batch: number;
    readonly maxAbsDiff: number;
    readonly maxAbsLogit: number;
  };
  readonly trainImagesPerSecond?: {
    readonly size: number;
    readonly batch: number;
    readonly typescriptWebgpu: number;
    readonly pytorchCudaFloat32: number;
    readonly pytorchCudaDefault: number;
    readonly note?: string;
  };
  readonly training?: {
    readonly trainer?: string;
    readonly testAccuracyGpu?: { readonly images: number; readonly accuracy: number };
  };
}

/** One timed loop of measure.ts or torch_bench.py: every call waits for the logits. */
interface KitLoop {
  readonly batch: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly medianMs: number;
  readonly imagesPerSecond: number;
  readonly precision?: string;
}

/** The fields of gpu-run.json (run.sh's merged figures) this section reads. */
export interface KitRun {
  readonly probe?: { readonly date?: string };
  readonly 'torch-bench'?: {
    readonly date?: string;
    readonly model?: { readonly size?: number };
    readonly inference?: readonly KitLoop[];
  };
  readonly 'webgpu-bench'?: {
    readonly date?: string;
    readonly model?: { readonly size?: number };
    readonly inference?: readonly KitLoop[];
  };
}

export interface GpuInputs {
  readonly kit?: { readonly summary: KitSummary; readonly run?: KitRun };
  /** the harness's own results from the GPU machine */
  readonly harness?: BenchResults;
  /** nvidia-smi's CSV from the harness's run (run.sh writes it beside the results: their schema has no GPU field) */
  readonly harnessNvidiaSmi?: string;
}

/** Where the committed files live under the results folder (write.ts reads them). */
export const GPU_FILES = {
  kitSummary: 'gpu/summary.json',
  kitRun: 'gpu/gpu-run.json',
  harness: 'bench-gpu/results.json',
  harnessNvidiaSmi: 'bench-gpu/nvidia-smi.csv',
} as const;

const measured = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';

/** nvidia-smi's CSV (header line, one line per GPU) as "name, driver D, M MiB, max SM clock C MHz". */
export function gpuLine(csv: string): { name: string; text: string } {
  const row = csv
    .trim()
    .split('\n')[1]
    ?.split(',')
    .map((c) => c.trim());
  if (!row || row.length < 2) return { name: csv.trim() || 'unknown GPU', text: csv.trim() || 'unknown GPU' };
  const [name, driver, memory, clock] = row;
  return {
    name,
    text: `${name}, driver ${driver}${memory ? `, ${memory}` : ''}${clock ? `, max SM clock ${clock}` : ''}`,
  };
}

/** A row of the kit's figures, in the harness's terms where they exist. */
interface KitRow {
  readonly label: string;
  readonly loops: readonly KitLoop[];
}

function kitRows(run: KitRun | undefined): KitRow[] {
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

const kitDate = (kit: NonNullable<GpuInputs['kit']>): string | undefined =>
  kit.run?.probe?.date ?? kit.run?.['webgpu-bench']?.date ?? kit.run?.['torch-bench']?.date;

/** 2026-11-27T19:36:24.088Z as "2026-11-27, 19:36 UTC". */
const when = (iso: string): string =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)}, ${iso.slice(11, 16)} UTC` : iso;

/** The summary's lines: which machine the recommendations above are about, and the GPU's answer in one line. */
export function gpuSummaryLines(results: BenchResults, gpu: GpuInputs | undefined): string[] {
  if (!gpu || (!gpu.kit && !gpu.harness)) return [];
  const m = results.machine;
  const webgpu = results.runs.find((r) => r.backend === 'tfjs-webgpu' && r.facts);
  // What this run knows about a GPU here: only the webgpu row's adapter says.
  const details = webgpu?.facts?.details;
  const gpuHere =
    details?.software === true
      ? ', no GPU (its webgpu adapter is a software driver: a CPU emulating a GPU)'
      : details?.software === false
        ? `, webgpu adapter ${String(details.adapter)}`
        : '';
  const lines = [
    `_The recommendations above are about this machine: ${m.cpuModel}, ${m.cores} cores${gpuHere}, ${results.createdAt.slice(0, 10)}. The GPU figures below come from another machine on another date._`,
    '',
  ];
  const harness = gpu.harness;
  if (harness) {
    const ran = harness.runs
      .filter((r) => measured(r) && r.singleStream)
      .sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
    if (ran.length) {
      const list = ran.map((r) => `${r.label} ${ms(r.singleStream!.p50)} ms`).join(', ');
      const best = (r: BackendRun) =>
        (r.offline ?? [])
          .filter((o) => o.imagesPerSecond !== undefined)
          .sort((x, y) => y.imagesPerSecond! - x.imagesPerSecond!)[0];
      const batches = harness.runs
        .filter((r) => measured(r) && best(r))
        .sort((a, b) => best(b)!.imagesPerSecond! - best(a)!.imagesPerSecond!);
      const tput = batches.length
        ? `; batches: ${batches.map((r) => `${r.label} ${sig(best(r)!.imagesPerSecond!)} images/s (batch ${best(r)!.batch})`).join(', ')}`
        : '';
      lines.push(
        `- **On an NVIDIA GPU** (${(gpu.harnessNvidiaSmi ? gpuLine(gpu.harnessNvidiaSmi).name : harnessGpuName(harness)) ?? 'the GPU machine'}, ${harness.createdAt.slice(0, 10)}, this harness): single images p50 ${list}${tput}. See "On a GPU".`,
      );
    }
  } else if (gpu.kit) {
    const rows = kitRows(gpu.kit.run);
    const at = (r: KitRow, b: number) => r.loops.find((l) => l.batch === b);
    const one = rows.filter((r) => at(r, 1)).sort((a, b) => at(a, 1)!.medianMs - at(b, 1)!.medianMs);
    const biggest = Math.max(...rows.flatMap((r) => r.loops.map((l) => l.batch)));
    const big = rows
      .filter((r) => at(r, biggest))
      .sort((a, b) => at(b, biggest)!.imagesPerSecond - at(a, biggest)!.imagesPerSecond);
    const name = gpuLine(gpu.kit.summary.machine).name;
    const date = kitDate(gpu.kit)?.slice(0, 10) ?? 'date not recorded';
    const parts: string[] = [];
    if (one.length)
      parts.push(`single images: ${one.map((r) => `${r.label} ${ms(at(r, 1)!.medianMs)} ms`).join(', ')} (median)`);
    if (big.length)
      parts.push(
        `batch ${biggest}: ${big.map((r) => `${r.label} ${sig(at(r, biggest)!.imagesPerSecond)} images/s`).join(', ')}`,
      );
    if (parts.length)
      lines.push(
        `- **On an NVIDIA GPU** (another machine: ${name}, ${date}; taken by the GPU kit's \`measure.ts\` and \`torch_bench.py\`, not by this harness): ${parts.join('; ')}. See "On a GPU".`,
      );
  }
  return lines.length > 2 ? [...lines, ''] : lines;
}

function harnessGpuName(h: BenchResults): string | undefined {
  const torch = h.runs.find(
    (r) => r.engine === 'pytorch' && r.facts?.details.device && r.facts.details.device !== 'cpu',
  );
  if (torch) return String(torch.facts!.details.device);
  const webgpu = h.runs.find((r) => r.backend === 'tfjs-webgpu' && r.facts?.details.adapter);
  return webgpu ? String(webgpu.facts!.details.adapter) : undefined;
}

/** The harness's own run on another machine (the GPU one, or any `nin-bench report` is given): the same tables as the CPU rows. */
export function harnessTables(h: BenchResults, nvidiaSmi: string | undefined): string[] {
  const ran = h.runs.filter(measured);
  const size = h.settings.sizes[0];
  const rows = ran.filter((r) => r.size === size);
  const facts = [...new Map(rows.filter((r) => r.facts).map((r) => [r.backend, r])).values()].map((r) => {
    const d = Object.entries(r.facts!.details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return `- ${r.label}: ${r.facts!.engine} ${r.facts!.version}${d ? ` (${d})` : ''}`;
  });
  const latency = rows.filter((r) => r.singleStream).sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  const bestP50 = latency[0]?.singleStream!.p50;
  const batches = h.settings.offline.batches;
  const tput = rows
    .filter((r) => r.offline)
    .map((r) => [
      r.label,
      ...batches.map((b) => {
        const o = r.offline!.find((p) => p.batch === b);
        return o?.imagesPerSecond !== undefined
          ? `${sig(o.imagesPerSecond)} ± ${sig(o.rme ?? NaN, 2)}%`
          : o?.skipped
            ? `n/a (${o.skipped})`
            : '—';
      }),
    ]);
  const m = h.machine;
  const notRun = h.runs
    .filter((r) => !measured(r) && r.size === size)
    .map((r) => `- ${r.label}: ${r.status} (${r.reason ?? ''})`);
  return [
    `Taken by this harness (\`${h.command}\`, profile \`${h.settings.profile}\`, ${size} px) on ${when(h.createdAt)}: the same scenarios and statistics as the CPU rows above (see Methodology).`,
    '',
    ...(nvidiaSmi ? [`- GPU: ${gpuLine(nvidiaSmi).text}`] : []),
    `- Host: ${m.cpuModel}, ${m.cores} cores, ${sig(m.memoryBytes / 2 ** 30)} GiB; ${m.os}; Node ${m.node}`,
    `- Model: \`${h.model.weightsFile}\`, sha256 \`${h.model.sha256}\``,
    ...facts,
    ...(notRun.length ? ['', 'Rows that did not run there:', '', ...notRun] : []),
    '',
    '### Single-stream latency, batch 1 (ms)',
    '',
    table(
      ['Backend', 'p50 (ms)', 'p90', 'p99', 'min', 'samples', '× fastest p50'],
      latency.map((r) => {
        const s = r.singleStream!;
        return [r.label, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.min), String(s.samples), times(s.p50 / bestP50!)];
      }),
    ),
    '',
    '### Throughput (images/s, mean ± 95% margin of error)',
    '',
    table(['Backend', ...batches.map((b) => `batch ${b}`)], tput),
    '',
    '### Agreement with tfjs cpu',
    '',
    table(
      ['Backend', 'images', 'top-1 accuracy', 'same top-1 as cpu', 'max |Δ logit| vs cpu'],
      rows
        .filter((r) => r.agreement)
        .map((r) => {
          const a = r.agreement!;
          const ref = r.backend === h.settings.agreement.reference;
          return [
            r.label,
            String(a.images),
            percent(a.top1Accuracy),
            ref ? 'reference' : a.top1MatchesReference === null ? '—' : percent(a.top1MatchesReference, 2),
            ref ? 'reference' : small(a.maxAbsLogitDiff),
          ];
        }),
    ),
    '',
    '### Cold start (ms)',
    '',
    table(
      ['Backend', 'process', 'engine init', 'weights load', 'first inference', 'total'],
      rows
        .filter((r) => r.coldStart)
        .sort((a, b) => a.coldStart!.totalMs - b.coldStart!.totalMs)
        .map((r) => {
          const c = r.coldStart!;
          return [r.label, ms(c.processMs), ms(c.initMs), ms(c.loadMs), ms(c.firstInferenceMs), ms(c.totalMs)];
        }),
    ),
    ...(rows.some((r) => r.extras?.length)
      ? [
          '',
          '### Runner-specific measurements',
          '',
          table(
            ['Backend', 'measurement', 'value', 'how it was taken'],
            rows.flatMap((r) =>
              (r.extras ?? []).map((x) => [
                r.label,
                x.name,
                typeof x.value === 'number' ? `${sig(x.value)}${x.unit ? ` ${x.unit}` : ''}` : x.value,
                [x.verdict, x.note].filter(Boolean).join('. '),
              ]),
            ),
            ['l', 'l', 'r', 'l'],
          ),
        ]
      : []),
  ];
}

/** The kit's measure.ts / torch_bench.py figures, in the CPU rows' tables as far as they go. */
function kitTables(kit: NonNullable<GpuInputs['kit']>): string[] {
  const { summary, run } = kit;
  const rows = kitRows(run);
  const gpu = gpuLine(summary.machine);
  const adapter = summary.webgpuAdapter;
  const t = summary.torch;
  const host = summary.node;
  const size = run?.['webgpu-bench']?.model?.size ?? run?.['torch-bench']?.model?.size ?? summary.forwardParity?.size;
  const date = kitDate(kit);
  const at = (r: KitRow, b: number) => r.loops.find((l) => l.batch === b);
  const one = rows.filter((r) => at(r, 1)).sort((a, b) => at(a, 1)!.medianMs - at(b, 1)!.medianMs);
  const batches = [...new Set(rows.flatMap((r) => r.loops.map((l) => l.batch)))].sort((a, b) => a - b);
  const best = new Map(batches.map((b) => [b, Math.max(...rows.map((r) => at(r, b)?.imagesPerSecond ?? 0))]));
  const parity = summary.forwardParity;
  const accuracy = summary.training?.testAccuracyGpu;
  const train = summary.trainImagesPerSecond;
  return [
    `Taken on ${date ? when(date) : 'a date the files do not record'} by the GPU kit's own measurements, not by this harness: \`packages/core-nin/gpu-kit/measure.ts\` for tfjs webgpu and \`torch_bench.py\` for PyTorch, in one device call of \`run.sh\` (files \`results/gpu/summary.json\` and \`gpu-run.json\`). Each loop times calls that wait for the logits, after warm-up calls; the kit keeps each loop's median and its calls per second, not the samples, so p90, p99 and margins of error do not exist for these rows.`,
    '',
    `- GPU: ${gpu.text}`,
    ...(adapter?.adapter
      ? [
          `- WebGPU adapter (Dawn, the \`webgpu\` package): \`${adapter.adapter}\`${adapter.software === false ? ', a hardware adapter (not a software driver)' : adapter.software ? ', a SOFTWARE adapter' : ''}${adapter.maxStorageBufferBindingSize ? `; max storage binding ${sig(adapter.maxStorageBufferBindingSize / 2 ** 30)} GiB` : ''}`,
        ]
      : []),
    ...(t
      ? [
          `- PyTorch ${t.torch ?? '?'} (CUDA ${t.cuda ?? '?'}, cuDNN ${t.cudnn ?? '?'}, Python ${t.python ?? '?'}; cudnn.benchmark ${t.cudnnBenchmark ?? '?'}) on ${t.device ?? 'the same GPU'}: strict float32 (TF32 off, what WebGPU computes in) and PyTorch's default (cuDNN may use TF32 for convolutions)`,
        ]
      : []),
    ...(host
      ? [
          `- Host: ${host.cpuModel ?? '?'}, ${host.cpus ?? '?'} cores; Node ${host.node ?? '?'}, tfjs ${host.tfjs ?? '?'}`,
        ]
      : []),
    `- Model: NiN at ${size ?? '?'} px, timed on seeded random weights (the time of a forward pass does not depend on the values)`,
    '',
    `### Single-stream latency, batch 1 (ms)`,
    '',
    table(
      ['Backend', 'p50 (median, ms)', 'p90', 'p99', 'calls', '× fastest p50'],
      one.map((r) => {
        const l = at(r, 1)!;
        return [
          r.label,
          ms(l.medianMs),
          'not kept',
          'not kept',
          String(l.iterations),
          times(l.medianMs / at(one[0], 1)!.medianMs),
        ];
      }),
    ),
    '',
    '### Throughput (images/s)',
    '',
    "calls × batch / loop seconds: close to the harness's batch × 1000 / mean latency, without its margin of error.",
    '',
    table(
      ['Backend', ...batches.map((b) => `batch ${b}`), 'largest batch vs fastest'],
      rows.map((r) => {
        const last = batches.filter((b) => at(r, b)).at(-1);
        return [
          r.label,
          ...batches.map((b) => (at(r, b) ? sig(at(r, b)!.imagesPerSecond) : '—')),
          last === undefined ? '—' : times(best.get(last)! / at(r, last)!.imagesPerSecond),
        ];
      }),
    ),
    '',
    '### Agreement with tfjs cpu',
    '',
    table(
      ['Backend', 'compared on', 'max |Δ logit| vs tfjs cpu', 'top-1 accuracy'],
      [
        [
          'tfjs webgpu (Dawn, Vulkan)',
          parity
            ? `${parity.batch} synthetic ${parity.size} px images, He-scaled random weights (largest |logit| ${sig(parity.maxAbsLogit)}), the kit's probe`
            : 'not compared',
          parity ? small(parity.maxAbsDiff) : '—',
          accuracy
            ? `${percent(accuracy.accuracy, 2)} on all ${accuracy.images.toLocaleString('en-US')} test images with the trained weights (\`nin eval\` on webgpu)`
            : '—',
        ],
        [
          'PyTorch CUDA',
          "not compared on the GPU: torch_bench.py times random weights; the seed's `nn.Sequential` on our weights matches tfjs cpu to 1e-4 on the CPU (core-nin parity test; the pytorch-cpu row)",
          '—',
          '—',
        ],
      ],
      ['l', 'l', 'r', 'l'],
    ),
    '',
    '### Cold start',
    '',
    "Not measured by the kit: its loops start once the engine is up. The harness's cold-start scenario gives it once the harness runs on the GPU.",
    ...(train
      ? [
          '',
          `### Training step (images/s, batch ${train.batch}, ${train.size} px)`,
          '',
          `Forward, loss, backward and the optimizer's step${train.note ? ` (${train.note})` : ''}; tfjs webgpu ran ${summary.training?.trainer ? `\`${summary.training.trainer}\`'s` : "the kit trainer's"} step.`,
          '',
          table(
            ['Backend', 'images/s', '× tfjs webgpu'],
            [
              ['tfjs webgpu (Dawn, Vulkan)', sig(train.typescriptWebgpu), '1.00×'],
              [
                'PyTorch CUDA float32 (TF32 off)',
                sig(train.pytorchCudaFloat32),
                times(train.pytorchCudaFloat32 / train.typescriptWebgpu),
              ],
              [
                'PyTorch CUDA default (TF32 convolutions)',
                sig(train.pytorchCudaDefault),
                times(train.pytorchCudaDefault / train.typescriptWebgpu),
              ],
            ],
          ),
        ]
      : []),
  ];
}

/**
 * The section "On a GPU (another machine)", or nothing when no GPU result is committed. `harnessShownAbove`: the
 * harness's GPU run was given to the report as one of its machines, so it has its machine section already and
 * this section keeps only the kit's own figures (they are not harness results).
 */
export function gpuSection(gpu: GpuInputs | undefined, harnessShownAbove = false): string[] {
  if (!gpu || (!gpu.kit && !gpu.harness)) return [];
  if (harnessShownAbove && !gpu.kit) return [];
  const out = [
    '## On a GPU (another machine)',
    '',
    '**These rows come from another machine on another date than everything above**: a machine with an NVIDIA GPU, reached through the GPU kit (`packages/core-nin/gpu-kit`). Do not compare them with the CPU rows as if measured side by side.',
    '',
  ];
  if (harnessShownAbove)
    out.push(
      "_The bench harness's own run on the GPU machine is in its machine's section above. The GPU kit's own figures (taken by its `measure.ts` and `torch_bench.py`, not by this harness):_",
      '',
    );
  else if (gpu.harness) out.push(...harnessTables(gpu.harness, gpu.harnessNvidiaSmi), '');
  else
    out.push(
      `_The bench harness itself has not yet run on a GPU (no \`results/${GPU_FILES.harness}\`): the kit's README says how one device call produces it. Until then, the kit's own figures:_`,
      '',
    );
  if (gpu.kit) {
    if (gpu.harness && !harnessShownAbove) out.push("### Earlier: the kit's own measurements", '');
    out.push(...kitTables(gpu.kit), '');
  }
  return out;
}
