import { WORKERS_PRICES_READ, WORKERS_PRICING_URL } from '../edge/workers-pricing.ts';
import type { BackendRun, BenchResults, OfflineResult } from '../results/schema.ts';
import type { ExtraMeasurement } from '../runners/runner.ts';
import { chartsFor } from './charts.ts';
import { mib, ms, percent, sig, small, table, times } from './format.ts';
import { hasInt8, int8Section, int8SummaryLine } from './int8.ts';
import { browserMethodology, browserSummaryLine } from './browser.ts';
import { gpuSection, gpuSummaryLines, type GpuInputs } from './gpu.ts';
import { otherMachinesSections, type MachineResults } from './machines.ts';
import { hasRounds, roundsSection } from './rounds.ts';
import { ranOwnWeights, weightsAt } from './weights-at.ts';
import {
  hasWasmPeaks,
  wasmPeakMachineLines,
  wasmPeakMethodology,
  wasmPeakSection,
  wasmPeakSummaryLine,
} from './wasm-peak.ts';

/**
 * results/report.md from a results file: pure (same results, same text), so `npm run report` can regenerate
 * it and a golden test can pin it.
 */

const measured = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';

/** Sorts rows by size (in the order the run measured them), then by `key` ascending. */
function bySizeThen(sizes: readonly number[], key: (r: BackendRun) => number) {
  return (a: BackendRun, b: BackendRun) => sizes.indexOf(a.size) - sizes.indexOf(b.size) || key(a) - key(b);
}

function bestOffline(r: BackendRun): OfflineResult | undefined {
  return (r.offline ?? [])
    .filter((o) => o.imagesPerSecond !== undefined)
    .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
}

/**
 * In-process engines that need no native addon: what a browser page or an edge runtime can embed (tfjs on
 * cpu/wasm/webgpu, onnxruntime-web). An HTTP endpoint is not one: its row measures a deployment.
 */
const isPortable = (r: BackendRun) =>
  (r.engine === 'tfjs' && !r.backend.startsWith('tfjs-tensorflow')) || r.engine === 'onnxruntime-web';

function summary(results: BenchResults, size: number): string {
  const runs = results.runs.filter((r) => r.size === size && measured(r));
  // Recommendations are among engines that run in the caller's process; an HTTP endpoint is reported beside them.
  const local = runs.some((r) => !r.remote) ? runs.filter((r) => !r.remote) : runs;
  const latency = local.filter((r) => r.singleStream).sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  const throughput = local
    .filter((r) => bestOffline(r))
    .sort((a, b) => bestOffline(b)!.imagesPerSecond! - bestOffline(a)!.imagesPerSecond!);
  const lines: string[] = [];
  if (latency.length > 0) {
    const best = latency[0];
    const portable = latency.find(isPortable);
    let line = `- **Single images:** use **${best.label}**: p50 ${ms(best.singleStream!.p50)} ms per image.`;
    if (portable && portable !== best) {
      line += ` Without a native addon (browser, edge): **${portable.label}**, p50 ${ms(portable.singleStream!.p50)} ms (${times(portable.singleStream!.p50 / best.singleStream!.p50)} the best).`;
    }
    lines.push(line);
  }
  if (throughput.length > 0) {
    const best = throughput[0];
    const b = bestOffline(best)!;
    const portable = throughput.find(isPortable);
    let line = `- **Batches:** use **${best.label}** at batch ${b.batch}: ${sig(b.imagesPerSecond!)} images/s.`;
    if (portable && portable !== best) {
      const p = bestOffline(portable)!;
      line += ` Without a native addon: **${portable.label}** at batch ${p.batch}, ${sig(p.imagesPerSecond!)} images/s (${times(b.imagesPerSecond! / p.imagesPerSecond!)} slower).`;
    }
    lines.push(line);
  }
  // What a runner concluded from its own measurements (the edge: which Workers plan its CPU per request fits).
  const verdicts = (r: BackendRun) =>
    (r.extras ?? [])
      .filter((x) => x.verdict)
      .map((x) => ` ${x.name[0].toUpperCase()}${x.name.slice(1)}: ${extraValue(x)}, ${x.verdict}.`)
      .join('');
  for (const r of runs.filter((x) => x.remote && x.singleStream && !local.includes(x))) {
    const ratio = latency[0]
      ? ` (${times(r.singleStream!.p50 / latency[0].singleStream!.p50)} the fastest in-process engine)`
      : '';
    lines.push(
      `- **Over HTTP:** ${r.label} answers one image in p50 ${ms(r.singleStream!.p50)} ms${ratio}; that includes HTTP, JSON and the server's own preprocessing.${verdicts(r)}`,
    );
  }
  for (const r of local.filter((x) => verdicts(x))) lines.push(`- **${r.label}:**${verdicts(r)}`);
  const int8 = int8SummaryLine(results, size);
  if (int8) lines.push(int8);
  const browser = browserSummaryLine(results, size);
  if (browser) lines.push(browser);
  const peak = wasmPeakSummaryLine(results, size);
  if (peak) lines.push(peak);
  const slowest = latency.at(-1);
  if (latency.length > 1 && slowest) {
    const ratio = slowest.singleStream!.p50 / latency[0].singleStream!.p50;
    lines.push(
      `- ${ratio >= 10 ? 'The spread is wide: the' : 'The'} slowest, ${slowest.label}, takes ${times(ratio)} as long per image as the fastest.`,
    );
  }
  if (lines.length === 0) return '_No backend produced a measurement at this size._';

  const bestP50 = latency[0]?.singleStream!.p50;
  const bestTput = throughput[0] ? bestOffline(throughput[0])!.imagesPerSecond! : undefined;
  const rows = [...runs]
    .sort((a, b) => (a.singleStream?.p50 ?? Infinity) - (b.singleStream?.p50 ?? Infinity))
    .map((r) => {
      const o = bestOffline(r);
      return [
        r.label,
        r.singleStream ? ms(r.singleStream.p50) : '—',
        r.singleStream && bestP50 ? times(r.singleStream.p50 / bestP50) : '—',
        o ? `${sig(o.imagesPerSecond!)} (b=${o.batch})` : '—',
        o && bestTput ? times(bestTput / o.imagesPerSecond!) : '—',
        r.coldStart ? sig(r.coldStart.totalMs / 1000) : '—',
        r.agreement ? percent(r.agreement.top1Accuracy) : '—',
      ];
    });
  return [
    ...lines,
    '',
    table(['Backend', 'p50 batch 1 (ms)', '× fastest', 'best images/s', '× fastest', 'cold start (s)', 'top-1'], rows),
  ].join('\n');
}

function sizesNote(results: BenchResults, size: number): string {
  const w = weightsAt(results, size);
  if (ranOwnWeights(results, size)) {
    const accuracy =
      w.manifestTestAccuracy !== null ? `, ${percent(w.manifestTestAccuracy)} on the test set per its manifest` : '';
    return ` At ${size} px every row ran the weights trained for ${size} px (\`${w.weightsFile}\`${accuracy}): top-1 is an accuracy at this size.`;
  }
  const trained = w.trainedInputSize;
  if (trained === null || trained === size) return '';
  return ` The weights were trained at ${trained} px; at ${size} px only speed and the agreement between engines mean something, not the accuracy.`;
}

function coldStartTable(runs: BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = runs
    .filter((r) => r.coldStart)
    .sort(bySizeThen(sizes, (r) => r.coldStart!.totalMs))
    .map((r) => {
      const c = r.coldStart!;
      return [
        r.label,
        ...(withSize ? [String(r.size)] : []),
        ms(c.processMs),
        ms(c.initMs),
        ms(c.loadMs),
        ms(c.firstInferenceMs),
        ms(c.totalMs),
      ];
    });
  return table(
    [
      'Backend',
      ...(withSize ? ['Size'] : []),
      'Node + loader',
      'engine init',
      'weights load',
      'first inference',
      'total (ms)',
    ],
    rows,
  );
}

function latencyTable(runs: BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const withLatency = runs.filter((r) => r.singleStream).sort(bySizeThen(sizes, (r) => r.singleStream!.p50));
  const bestBySize = new Map<number, number>();
  for (const r of withLatency) if (!bestBySize.has(r.size)) bestBySize.set(r.size, r.singleStream!.p50);
  const rows = withLatency.map((r) => {
    const s = r.singleStream!;
    return [
      r.label,
      ...(withSize ? [String(r.size)] : []),
      ms(s.p50),
      ms(s.p90),
      ms(s.p99),
      ms(s.min),
      `${ms(s.mean)} ± ${sig(s.rme, 2)}%`,
      String(s.samples),
      sig(s.gflops),
      times(s.p50 / bestBySize.get(r.size)!),
    ];
  });
  return table(
    [
      'Backend',
      ...(withSize ? ['Size'] : []),
      'p50 (ms)',
      'p90',
      'p99',
      'min',
      'mean ± 95% MoE',
      'samples',
      'GFLOP/s',
      '× fastest p50',
    ],
    rows,
  );
}

function offlineTables(
  runs: BackendRun[],
  sizes: readonly number[],
  batches: readonly number[],
  withSize: boolean,
): string {
  const notes: string[] = [];
  const noteFor = (text: string): string => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `n/a[^${i + 1}]`;
  };
  const withOffline = runs.filter((r) => r.offline);
  const bestBySize = new Map<number, number>();
  for (const r of withOffline) {
    const b = bestOffline(r)?.imagesPerSecond ?? 0;
    bestBySize.set(r.size, Math.max(bestBySize.get(r.size) ?? 0, b));
  }
  const sorted = [...withOffline].sort(bySizeThen(sizes, (r) => -(bestOffline(r)?.imagesPerSecond ?? 0)));
  const cell = (r: BackendRun, batch: number, render: (o: OfflineResult) => string): string => {
    const o = r.offline!.find((p) => p.batch === batch);
    if (!o) return '—';
    if (o.skipped) return noteFor(o.skipped);
    return render(o);
  };
  const tput = sorted.map((r) => {
    const best = bestOffline(r)?.imagesPerSecond;
    return [
      r.label,
      ...(withSize ? [String(r.size)] : []),
      ...batches.map((b) => cell(r, b, (o) => `${sig(o.imagesPerSecond!)} ± ${sig(o.rme!, 2)}%`)),
      best ? times(bestBySize.get(r.size)! / best) : '—',
    ];
  });
  const flops = sorted.map((r) => [
    r.label,
    ...(withSize ? [String(r.size)] : []),
    ...batches.map((b) => cell(r, b, (o) => sig(o.gflops!))),
  ]);
  const header = ['Backend', ...(withSize ? ['Size'] : [])];
  const parts = [
    '### Throughput (images/s, mean ± 95% margin of error)',
    '',
    table([...header, ...batches.map((b) => `batch ${b}`), 'best vs fastest'], tput),
    '',
    '### Achieved GFLOP/s',
    '',
    table([...header, ...batches.map((b) => `batch ${b}`)], flops),
  ];
  if (notes.length) parts.push('', ...notes.map((n, i) => `[^${i + 1}]: ${n}`));
  return parts.join('\n');
}

function memoryTable(runs: BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = runs
    .filter((r) => r.memory)
    .sort(bySizeThen(sizes, (r) => r.memory!.peakRssBytes))
    .map((r) => [
      r.remote
        ? `${r.label} (the HTTP client; the server's memory is not visible)`
        : r.browser
          ? `${r.label.replace(/ \(browser\)$/, '')} (browser: the page's renderer process)`
          : r.label,
      ...(withSize ? [String(r.size)] : []),
      mib(r.memory!.peakRssBytes),
      mib(r.memory!.startRssBytes),
      r.remote ? '—' : mib(r.memory!.wasmHeapBytes),
    ]);
  return table(
    ['Backend', ...(withSize ? ['Size'] : []), 'peak RSS (MiB)', 'RSS before the engine loaded', 'WASM heap (MiB)'],
    rows,
  );
}

const extraValue = (x: ExtraMeasurement): string =>
  typeof x.value === 'number' ? `${sig(x.value)}${x.unit ? ` ${x.unit}` : ''}` : x.value;

/** Figures only a runner could take (scenario `extras`), as it reported them. */
function extrasTable(runs: BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = runs
    .filter((r) => r.extras?.length)
    .sort(bySizeThen(sizes, () => 0))
    .flatMap((r) =>
      r.extras!.map((x) => [
        r.label,
        ...(withSize ? [String(r.size)] : []),
        x.name,
        extraValue(x),
        [x.verdict, x.note].filter(Boolean).join('. '),
      ]),
    );
  return table(
    ['Backend', ...(withSize ? ['Size'] : []), 'measurement', 'value', 'what it means, how it was taken'],
    rows,
    ['l', ...(withSize ? ['r' as const] : []), 'l', 'r', 'l'],
  );
}

function agreementTable(runs: BackendRun[], sizes: readonly number[], reference: string, withSize: boolean): string {
  const rows = runs
    .filter((r) => r.agreement)
    .sort(bySizeThen(sizes, () => 0))
    .map((r) => {
      const a = r.agreement!;
      const isRef = r.backend === reference;
      return [
        r.label,
        ...(withSize ? [String(r.size)] : []),
        String(a.images),
        `${percent(a.top1Accuracy)} (${a.correct}/${a.images})`,
        isRef ? 'reference' : a.top1MatchesReference === null ? '—' : percent(a.top1MatchesReference, 2),
        isRef ? 'reference' : small(a.maxAbsLogitDiff),
      ];
    });
  return table(
    ['Backend', ...(withSize ? ['Size'] : []), 'images', 'top-1 accuracy', 'same top-1 as cpu', 'max |Δ logit| vs cpu'],
    rows,
  );
}

/**
 * Edge rows serve the model bundled into their build, not the bench's weights: at a size the bench's weights were
 * not trained for, that is a model trained for that size, so their accuracy is real and their difference from the
 * reference (the bench's weights at that size) is expected.
 */
function ownModelNote(results: BenchResults, ran: BackendRun[]): string[] {
  const trained = results.model.trainedInputSize;
  // where the size ran its own weights, an edge build's own model is the same kind: nothing to explain
  const own = ran.filter(
    (r) => r.remote && r.agreement && trained !== null && r.size !== trained && !ranOwnWeights(results, r.size),
  );
  if (own.length === 0) return [];
  const served = [
    ...new Set(own.map((r) => `${r.label} (${String(r.facts?.details.servedWeights ?? `${r.size} px`)})`)),
  ];
  return [
    '',
    `${served.join(', ')}: an edge build serves the model bundled into it, trained for its own input size, while the other rows at that size run the bench's ${trained} px weights. Their top-1 accuracy is their own model's; their difference from the reference is that of two models, not an engine error.`,
  ];
}

function agreementIntro(results: BenchResults): string {
  const { agreement } = results.settings;
  const counts = [...new Set(results.runs.filter((r) => r.agreement).map((r) => r.agreement!.images))];
  if (counts.length === 0) return 'Not measured in this run.';
  let text = `The first ${counts.join(' / ')} images of the Fashion-MNIST test set, the same images for every backend at a size`;
  const ref = results.runs.find((r) => r.backend === agreement.reference && r.agreement);
  if (ref && ref.agreement!.images < agreement.images) {
    text += ` (the reference, ${ref.label}, classified ${ref.agreement!.images} of the planned ${agreement.images} within its ${sig(agreement.referenceTimeMs / 1000)} s budget)`;
  }
  text += '.';
  const sizes = results.settings.sizes;
  if (sizes.some((size) => ranOwnWeights(results, size))) {
    // each size ran its own weights where it had them: each has its own accuracy
    const scores = sizes.flatMap((size) => {
      const w = weightsAt(results, size);
      return w.manifestTestAccuracy !== null && w.trainedInputSize === size
        ? [`${percent(w.manifestTestAccuracy)} at ${size} px`]
        : [];
    });
    if (scores.length)
      text += ` On all 10,000 test images the weights each size ran score ${scores.join(', ')} (their manifests); this slice is a check that every engine computes the same function, not a new accuracy figure.`;
  } else if (results.model.manifestTestAccuracy !== null) {
    text += ` On all 10,000 test images the weights score ${percent(results.model.manifestTestAccuracy)} (their manifest); this slice is a check that every engine computes the same function, not a new accuracy figure.`;
  }
  return text;
}

function notRunTable(runs: readonly BackendRun[]): string {
  const seen = new Set<string>();
  const rows: string[][] = [];
  for (const r of runs) {
    if (measured(r)) continue;
    const key = `${r.backend}|${r.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push([r.label, r.status, r.reason ?? '']);
  }
  return rows.length ? table(['Backend', 'status', 'reason'], rows, ['l', 'l', 'l']) : '_Every selected backend ran._';
}

function partialNotes(runs: readonly BackendRun[]): string {
  const partial = runs.filter((r) => r.status === 'partial');
  if (!partial.length) return '';
  return [
    '',
    'Some measurements failed:',
    '',
    ...partial.map((r) => `- ${r.label} @${r.size} px: ${r.errors?.join('; ')}`),
  ].join('\n');
}

/** Which rows ran beside other work, from the CPU other processes used meanwhile. */
function contentionLine(runs: readonly BackendRun[]): string {
  const measuredRows = runs.filter((r) => r.otherCores !== undefined);
  if (measuredRows.length === 0) return '- Other processes during each row: not measured (no /proc here)';
  const busy = measuredRows.filter((r) => r.otherCores! >= 0.1 && !r.remote);
  const remote = measuredRows.filter((r) => r.remote);
  const parts = busy.length
    ? `${busy.map((r) => `${r.label} @${r.size} px: ${r.otherCores} cores`).join('; ')} (figures of those rows are slowed by contention); every other row: under 0.1 core`
    : 'under 0.1 core on average during every in-process row: the machine was otherwise quiet';
  const server = remote.length
    ? `. HTTP rows count their local server as other work: ${remote.map((r) => `${r.label} ${r.otherCores} cores`).join('; ')}`
    : '';
  return `- CPU used by other processes while each row ran (machine busy time minus the bench's own): ${parts}${server}`;
}

function machineSection(results: BenchResults): string {
  const m = results.machine;
  const busy = m.busyProcesses.length
    ? m.busyProcesses.map((p) => `\`${p.command}\` (${p.cpuPercent}%)`).join(', ')
    : 'none above 5% of a core';
  const versions = Object.entries(results.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `- CPU: ${m.cpuModel}, ${m.cores} cores (${m.arch}); memory ${sig(m.memoryBytes / 2 ** 30)} GiB`,
    `- OS: ${m.os}, kernel ${m.kernel}; Node ${m.node}`,
    `- Load average (1/5/15 min): ${m.loadAverage.start.join(' / ')} at the start, ${m.loadAverage.end.join(' / ')} at the end; other busy processes at the start: ${busy}`,
    contentionLine(results.runs),
    `- Packages: ${versions}`,
    ...wasmPeakMachineLines(results),
    `- Model: \`${results.model.weightsFile}\` (${results.model.storage ?? 'unknown storage'}, trained at ${results.model.trainedInputSize ?? '?'} px${results.model.manifestTestAccuracy !== null ? `, test accuracy ${percent(results.model.manifestTestAccuracy)} per its manifest` : ''}), sha256 \`${results.model.sha256}\``,
    ...results.settings.sizes
      .filter((size) => ranOwnWeights(results, size))
      .map((size) => {
        const w = weightsAt(results, size);
        return `- At ${size} px: \`${w.weightsFile}\` (trained at ${size} px${w.manifestTestAccuracy !== null ? `, test accuracy ${percent(w.manifestTestAccuracy)} per its manifest` : ''}), sha256 \`${w.sha256}\``;
      }),
    `- Run: ${results.createdAt}, profile \`${results.settings.profile}\`, ${sig(results.durationMs / 60000)} minutes; command \`${results.command}\``,
  ].join('\n');
}

function methodology(results: BenchResults): string {
  const s = results.settings;
  const macs = Object.entries(results.model.multiplyAdds)
    .map(([size, n]) => `${Number(n).toLocaleString('en-US')} at ${size} px`)
    .join(', ');
  return [
    `- **Isolation.** Each backend runs in its own fresh \`node\` child process (TypeScript through tsx), one at a time, so engines never share state or cores. A child that crashes or exceeds ${sig(s.childTimeoutMs / 60000)} minutes becomes a failed row with the reason.`,
    "- **What one call measures.** `infer(batch)`: wrapping the preprocessed `Float32Array` as the engine's input tensor, the forward pass, and reading the logits back into JavaScript memory — what a caller waits for. Preprocessing (PIL-bilinear resize, /255) is the same JavaScript for every engine and is excluded.",
    "- **Cold start.** Measured in every child: *Node + loader* is Node's time origin (process start) to the harness starting the runner (Node, the tsx loader, harness modules); *engine init* imports the engine and initialises the backend (for tfjs this includes importing `@nin-bench/core-nin/node`); *weights load* reads and decodes the weights and uploads them or creates the session; *first inference* is one image end to end. Total = the four. Reading the test images is harness work and excluded. Before the first backend a throwaway process imports every TypeScript module once, so tsx's transpile cache is warm: the figures are a process start with warm disk caches (a service restarting), not the one-time transpile after a fresh checkout.",
    `- **Single-stream (batch 1).** tinybench ${results.versions.tinybench ?? ''}: at least ${s.singleStream.warmupIterations} warm-up call(s)${s.singleStream.warmupTimeMs ? ` filling at least ${sig(s.singleStream.warmupTimeMs / 1000)} s` : ''} (not counted: V8 compiles WebAssembly in tiers, and onnxruntime-web's first calls are 2–3× slower), then calls until at least ${sig(s.singleStream.timeMs / 1000)} s and ${s.singleStream.minIterations} calls have passed. p50/p99/min, mean and the 95% margin of error (Student's t) are tinybench's; p90 is read from the retained samples with tinybench's own quantile definition.`,
    `- **Offline throughput.** For each batch size (${s.offline.batches.join(', ')}): one warm-up call (untimed; a batch size whose warm-up call takes over ${sig(s.offline.maxCallMs / 1000)} s, or would by the fastest per-image time already seen, is skipped and marked n/a with the reason), then tinybench for at least ${sig(s.offline.timeMs / 1000)} s and ${s.offline.minIterations} calls. images/s = batch × 1000 / mean batch latency (ms); its ± is the relative margin of error of that mean.`,
    `- **GFLOP/s** = 2 × multiply-adds per image × images/s / 10⁹, with the model's own count of convolution multiply-adds (${macs}; pooling and ReLU not counted).`,
    '- **Memory.** Peak RSS is `process.resourceUsage().maxRSS` of the child at the end: it includes Node, the loader and the harness (the RSS before the engine loaded is shown beside it). WASM heap is the summed size of every `WebAssembly.Memory` the engine created (the child wraps `WebAssembly.Memory` and `WebAssembly.instantiate` before any engine loads); WASM memories never shrink, so the size at the end is the peak. onnxruntime-web with threads has one shared memory. Native engines (onnxruntime-node, tfjs-node) and Dawn allocate outside JavaScript: their memory shows in RSS only.',
    `- **Agreement.** The first images of the Fashion-MNIST test set (a fixed slice), preprocessed by the core, classified in batches of ${s.agreement.batch}. The reference (\`${s.agreement.reference}\`) runs first with a ${sig(s.agreement.referenceTimeMs / 1000)} s budget of at most ${s.agreement.images} images; every other backend classifies the same images it managed. Top-1 accuracy is against the labels; max |Δ logit| is the largest difference from the reference's logits over all those images and classes.`,
    '- **Threads.** tfjs cpu runs JavaScript kernels on one thread. tfjs wasm runs on one thread: tfjs-backend-wasm turns threads off under Node (see "Backends that did not run"). onnxruntime-node sets `intraOpNumThreads`; onnxruntime-web sets `env.wasm.numThreads` (its pthreads run on Node worker threads sharing one WebAssembly memory; a browser needs cross-origin isolation for that).',
    '- **webgpu** runs tfjs-backend-webgpu on Dawn (the `webgpu` package). On a machine without a GPU the only adapter is a software Vulkan driver (Mesa lavapipe): its figures then measure a CPU emulating a GPU, not a GPU; the adapter is named under Machine and versions.',
    ...(results.runs.some((r) => r.remote && measured(r))
      ? [
          "- **HTTP rows** (the edge endpoint) run the server on this same machine (`wrangler dev`, local workerd) and reach it over loopback HTTP, straight to the Worker's own workerd socket (wrangler dev's entry proxy, a second workerd that a deployment does not have, is bypassed; its added latency is a runner-specific measurement): their times include HTTP, JSON and the server's own input handling, and the server competes with the client for the cores. The server serves the weights bundled into it (see its details under Machine and versions), so its agreement also reflects their storage precision. Its memory row is the client process only.",
          ...(results.runs.some((r) => r.remote && r.extras?.length)
            ? [
                `  The edge runner also reads the CPU time the Worker's own workerd process uses per request (user + system, from /proc, over sequential requests; wrangler dev's entry proxy, a second workerd that a deployment does not have, is reported beside it in the total), and prices it at Cloudflare's published Workers prices (${WORKERS_PRICING_URL}, read ${WORKERS_PRICES_READ}: Free plan 10 ms of CPU per request and 100,000 requests a day; Paid $5 a month, then $0.30 per million requests and $0.02 per million CPU ms beyond the included 10 M requests and 30 M CPU ms). It measures throughput with 4 concurrent clients, reads the Worker's WebAssembly memory from its /health, and soaks the endpoint with real test images (16 clients and one; errors, the same answer per image, memory flat): see Runner-specific measurements.`,
              ]
            : []),
        ]
      : []),
    ...(hasInt8(results)
      ? [
          '- **int8 rows** run the calibrated int8 ONNX model (`nin export-onnx --int8`) on the same engine and thread count as a float32 row, with the same input and timing: the committed model beside the weights when it was made from them at this size with the default calibration (its metadata carries the accuracy `nin eval --onnx --record` measured on all 10,000 test images), else one calibrated by the bench before the row (256 training images, the maximum of each activation; never test images). ONNX Runtime fuses its QuantizeLinear/DequantizeLinear pairs into QLinearConv (uint8 activations x int8 weights, int32 accumulation).',
        ]
      : []),
    ...browserMethodology(results),
    ...wasmPeakMethodology(results),
    `- **Contention.** Recorded above: the load average at the start and end, the busiest other processes at the start, and for every row the CPU other processes used while it ran (from /proc/stat, minus the bench's own processes). Figures taken while other work ran are slower and noisier than on a quiet machine.`,
  ].join('\n');
}

function factsSection(runs: BackendRun[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of runs) {
    if (!r.facts || seen.has(r.backend)) continue;
    seen.add(r.backend);
    const details = Object.entries(r.facts.details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    lines.push(`- ${r.label}: ${r.facts.engine} ${r.facts.version}${details ? ` (${details})` : ''}`);
  }
  return lines.join('\n');
}

/** What else a report shows beside its own machine's results. */
export interface ReportExtras {
  /** the first machine's file as given (named in the other machines' section) */
  readonly file?: string;
  /** further results files: a section each and a table of ratios against this one (machines.ts) */
  readonly others?: readonly MachineResults[];
  /** the GPU harness run is one of `others`: the GPU section keeps only the kit's own figures */
  readonly gpuHarnessAmongOthers?: boolean;
}

/**
 * `gpu`: the committed results of another machine with a GPU (see gpu.ts), shown in a section of their own.
 * `extras.others`: more machines' results (machines.ts); without them the report is the one machine's.
 */
export function renderReport(results: BenchResults, gpu?: GpuInputs, extras: ReportExtras = {}): string {
  const sizes = results.settings.sizes;
  const withSize = sizes.length > 1;
  const runs = results.runs;
  const ran = runs.filter(measured);
  const charts = chartsFor(results);
  const chartsBySize = (size: number) => charts.filter((c) => c.file.endsWith(`-${size}.svg`));
  const configurations = new Set(runs.map((r) => r.backend)).size;
  const measuredConfigurations = new Set(ran.map((r) => r.backend)).size;
  const m = results.machine;
  const out: string[] = [
    '# NiN inference benchmark',
    '',
    `d2l's Network-in-Network (${results.model.parameterCount.toLocaleString('en-US')} parameters) trained on Fashion-MNIST, forward pass timed on ${configurations} backend configurations (${measuredConfigurations} ran here) on ${m.cpuModel} (${m.cores} cores, ${sig(m.memoryBytes / 2 ** 30)} GiB, ${m.os}), Node ${m.node}, ${results.createdAt.slice(0, 10)}. Profile \`${results.settings.profile}\`, input ${sizes.join(' and ')} px.`,
    '',
    'Generated by `npm run bench` from `results/bench/results.json`; `npm run report` regenerates this page from that file without measuring again.',
    '',
    '## Summary',
    '',
  ];
  for (const size of sizes) {
    if (withSize) out.push(`### ${size} px`, '');
    const note = sizesNote(results, size);
    if (note) out.push(`_${note.trim()}_`, '');
    out.push(summary(results, size), '');
    for (const c of chartsBySize(size)) out.push(`![${c.title}](${c.file})`, '');
  }
  out.push(...gpuSummaryLines(results, gpu));
  out.push(
    '## Cold start (ms)',
    '',
    'From process start to the first result, in phases (see Methodology).',
    '',
    coldStartTable(ran, sizes, withSize),
    '',
    '## Single-stream latency, batch 1 (ms)',
    '',
    latencyTable(ran, sizes, withSize),
    '',
    '## Offline throughput',
    '',
    offlineTables(ran, sizes, results.settings.offline.batches, withSize),
    '',
    ...(hasRounds(results) ? ['## Between rounds', '', roundsSection(results, sizes, withSize), ''] : []),
    ...(hasInt8(results) ? ['## int8 against float32', '', int8Section(results, sizes, withSize), ''] : []),
    ...(hasWasmPeaks(results)
      ? ['## How far from the WebAssembly peak', '', wasmPeakSection(results, withSize), '']
      : []),
    '## Memory',
    '',
    memoryTable(ran, sizes, withSize),
    '',
    ...(ran.some((r) => r.extras?.length)
      ? [
          '## Runner-specific measurements',
          '',
          'Figures a runner takes itself because timing its calls cannot show them (scenario `extras`).',
          '',
          extrasTable(ran, sizes, withSize),
          '',
        ]
      : []),
    '## Agreement',
    '',
    agreementIntro(results),
    '',
    agreementTable(ran, sizes, results.settings.agreement.reference, withSize),
    ...ownModelNote(results, ran),
    partialNotes(runs),
    '',
    '## Backends that did not run',
    '',
    notRunTable(runs),
    '',
    '## Machine and versions',
    '',
    machineSection(results),
    '',
    'Engines as loaded:',
    '',
    factsSection(ran),
    '',
    '## Methodology',
    '',
    methodology(results),
    '',
    ...otherMachinesSections({ file: extras.file ?? 'results/bench/results.json', results }, extras.others ?? []),
    ...gpuSection(gpu, extras.gpuHarnessAmongOthers ?? false),
  );
  return out.join('\n');
}
