import { processRssBytes, type GroupProcess, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { squarePhotoVariant } from '@nin-bench/core-nin/data/photo-style';
import { quantileSorted } from '../stats/summary.ts';
import type { ExtraMeasurement } from './runner.ts';
import { WORKERS_PRICES_READ, workersCostSentence } from '../edge/workers-pricing.ts';
import { SOAK_RSS_TOLERANCE, type SoakResult } from '../edge/soak.ts';
import { prose } from '../text/prose.ts';

// What the edge runner measures beside its loops, as the report's extra measurements: the Worker's CPU per request
// and what it costs, its memory, the soak, the local proxy's share. Pure but for /proc.

export const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * The edge row's CPU figures: the Worker's own workerd process (the figure Cloudflare bills and limits), with the
 * plan whose CPU limit it fits and what a million requests cost there, and every workerd of wrangler dev
 * together (the Worker plus the local entry proxy, which a deployment does not run).
 */
export function serverCpuMeasurements(
  cpu: { readonly workerMs: number | null; readonly totalMs: number },
  requests: number,
): ExtraMeasurement[] {
  const how = `over ${requests} sequential single-image requests on this machine (/proc, 10 ms ticks); the model's load on a new isolate is not in it`;
  const out: ExtraMeasurement[] = [];
  if (cpu.workerMs !== null) {
    out.push({
      name: 'Worker CPU per request',
      value: round1(cpu.workerMs),
      unit: 'ms',
      verdict: `${workersCostSentence(cpu.workerMs)} (prices read ${WORKERS_PRICES_READ})`,
      note: `user + system CPU of the Worker's own workerd process (the one wrangler dev starts with an inspector address) ${how}`,
    });
  }
  out.push({
    name: 'workerd CPU per request, Worker + local proxy',
    value: round1(cpu.totalMs),
    unit: 'ms',
    note: `both of wrangler dev's workerd processes (the Worker and the entry proxy on the public port, which a deployment does not have) ${how}`,
  });
  return out;
}

/**
 * The photo the edge row also times: the row's sample image as a 1000 x 1000 (1 MP) product photo in JPEG (core's
 * seeded photo-style pictures: light backdrop, colour, off-centre), what a client that sends photos posts.
 */
export const ONE_MEGAPIXEL_PHOTO = squarePhotoVariant(1000, 90);

/** Worker CPU per request for the 1 MP photo, with the plan it fits (decoding and Fashion-MNIST's conversion included). */
export function photoCpuMeasurement(workerMs: number, requests: number, bytes: number): ExtraMeasurement {
  return {
    name: 'Worker CPU per request, 1 MP JPEG photo',
    value: round1(workerMs),
    unit: 'ms',
    verdict: `${workersCostSentence(workerMs)} (prices read ${WORKERS_PRICES_READ})`,
    note: prose`the row's sample image as a 1000 x 1000 product photo (JPEG, ${Math.round(bytes / 1024)} KiB; decoding,
      EXIF, Fashion-MNIST's photo conversion and the forward pass) over ${requests} sequential requests straight to the
      Worker (/proc, 10 ms ticks)`,
  };
}

/** CPU ms so far of the Worker's own workerd process (null when it cannot be told apart) and of every workerd. */
export function workerdCpuMs(group: ProcessGroup): { workerMs: number | null; totalMs: number } {
  const workerds = group.processes().filter((p) => p.executable === 'workerd');
  const worker = workerds.filter(isWorkerProcess);
  return { workerMs: worker.length === 1 ? worker[0].cpuMs : null, totalMs: workerds.reduce((a, p) => a + p.cpuMs, 0) };
}

/**
 * Whether a process of wrangler dev's group is the Worker's own workerd (wrangler dev runs two: the entry proxy on
 * the public port, and the Worker, the one started with an inspector address).
 */
export const isWorkerProcess = (p: GroupProcess): boolean =>
  p.executable === 'workerd' && p.cmdline.includes('--inspector-addr');

/** The soak as one figure (requests without error) with its verdict. */
export function soakMeasurement(r: SoakResult): ExtraMeasurement {
  const mib = (b: number | null) => (b === null ? 'n/a' : (b / 2 ** 20).toFixed(1));
  const rss = r.snapshots.map((s) => mib(s.workerRssBytes)).join(' / ');
  const problems = [
    r.errors > 0 ? `${r.errors} errors (${r.errorSamples[0]})` : '',
    r.inconsistentImages > 0 ? `${r.inconsistentImages} images answered differently between requests` : '',
    r.wasmMemoryFlat === false ? 'the wasm memory grew' : '',
    r.rssGrowth !== null && r.rssGrowth > SOAK_RSS_TOLERANCE
      ? `the Worker's RSS grew ${(r.rssGrowth * 100).toFixed(0)}%`
      : '',
  ].filter(Boolean);
  const rssChange =
    r.rssGrowth === null ? '' : `, Worker RSS ${r.rssGrowth >= 0 ? '+' : ''}${(r.rssGrowth * 100).toFixed(1)}%`;
  const rounds = r.rounds.map((x) => (x.kind === 'concurrent' ? `${x.clients} clients` : 'sequential')).join(', ');
  return {
    name: `soak, ${r.requests} requests`,
    value: r.requests - r.errors,
    unit: 'answered',
    verdict: r.passed
      ? `soak passed: no errors, the same answer for every image each time, wasm memory flat${rssChange}`
      : `soak FAILED: ${problems.join('; ')}`,
    note: prose`${r.distinctImages} test images cycled over ${r.rounds.length} rounds (${rounds}) in ${r.seconds.toFixed(0)}
      s; Worker RSS after each round ${rss} MiB`,
  };
}

/** Workers' memory cap per isolate, JavaScript heap and WebAssembly memory together. */
const ISOLATE_MEMORY_BYTES = 128 * 2 ** 20;

/** The Worker's WebAssembly memory as /health reports it, against the isolate cap. */
export function workerMemoryMeasurement(wasmHeapBytes: number): ExtraMeasurement {
  const share = wasmHeapBytes / ISOLATE_MEMORY_BYTES;
  return {
    name: 'Worker wasm memory',
    value: round1(wasmHeapBytes / 2 ** 20),
    unit: 'MiB',
    verdict:
      share < 1
        ? `${Math.round(share * 100)}% of the 128 MB a Workers isolate may use (its JavaScript heap comes on top)`
        : `over the 128 MB a Workers isolate may use: Cloudflare would end the isolate`,
    note: prose`the engine's WebAssembly linear memory (tfjs-backend-wasm's or onnxruntime-web's) after every request
      of this row (it never shrinks), as the Worker's /health reports it`,
  };
}

/** The resident memory of the Worker's own workerd process, or null when it cannot be found. */
export function workerRssBytes(group: ProcessGroup): number | null {
  const pid = group.processes().find(isWorkerProcess)?.pid;
  return pid === undefined ? null : processRssBytes(pid);
}

/** Single-image latency through wrangler dev's entry proxy against the same requests straight to the Worker. */
export function proxyLatencyMeasurement(viaProxy: number[], direct: number[]): ExtraMeasurement {
  const p50 = (xs: number[]) =>
    quantileSorted(
      [...xs].sort((a, b) => a - b),
      0.5,
    );
  const proxy = p50(viaProxy);
  const worker = p50(direct);
  return {
    name: "latency p50 through wrangler dev's entry proxy",
    value: round1(proxy),
    unit: 'ms',
    note: prose`sequential single-image requests to the public port (${viaProxy.length}) against the same requests
      straight to the Worker's own socket (${direct.length}, p50 ${round1(worker)} ms): the local proxy, which a
      deployment does not have, adds ${round1(proxy - worker)} ms`,
  };
}

/** The first request's Worker CPU on a new isolate. */
export function coldCpuMeasurement(cpuMs: number): ExtraMeasurement {
  return {
    name: 'Worker CPU, cold first request',
    value: round1(cpuMs),
    unit: 'ms',
    note: prose`user + system CPU of the Worker's own workerd process from before the first /health (the Worker loads
      its wasm engine and bundled model) to the end of the first single-image /predict (/proc, 10 ms ticks); what a
      new isolate's first visitor costs, the script's own start-up excluded`,
  };
}

/** Requests per second with `clients` concurrent clients, and the per-request latency under that load. */
export function throughputMeasurement(
  clients: number,
  count: number,
  ms: number,
  latencies: number[],
): ExtraMeasurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = round1(quantileSorted(sorted, 0.5));
  const p99 = round1(quantileSorted(sorted, 0.99));
  return {
    name: `throughput, ${clients} concurrent clients`,
    value: round1(count / (ms / 1000)),
    unit: 'requests/s',
    note: `${count} single-image requests; per-request latency under that load p50 ${p50} ms, p99 ${p99} ms`,
  };
}
