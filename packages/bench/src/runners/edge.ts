import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import {
  freePort,
  listeningTcpPorts,
  processRssBytes,
  spawnProcessGroup,
  type GroupProcess,
  type ProcessGroup,
} from '@nin-bench/node-tools/process-group';
import { photoStyleFile, squarePhotoVariant } from '@nin-bench/core-nin/data/photo-style';
import { quantileSorted } from '../stats/summary.ts';
import { workerPeakProbe } from './edge-peak-probe.ts';
import type { CreateRunner, ExtraMeasurement, LoadedModel } from './runner.ts';
import { WORKERS_PRICES_READ, workersCostSentence } from '../edge/workers-pricing.ts';
import { SOAK_RSS_TOLERANCE, soakEdge, type SoakResult } from '../edge/soak.ts';

const round1 = (x: number) => Math.round(x * 10) / 10;

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
const ONE_MEGAPIXEL_PHOTO = squarePhotoVariant(1000, 90);

/** Worker CPU per request for the 1 MP photo, with the plan it fits (decoding and Fashion-MNIST's conversion included). */
function photoCpuMeasurement(workerMs: number, requests: number, bytes: number): ExtraMeasurement {
  return {
    name: 'Worker CPU per request, 1 MP JPEG photo',
    value: round1(workerMs),
    unit: 'ms',
    verdict: `${workersCostSentence(workerMs)} (prices read ${WORKERS_PRICES_READ})`,
    note: `the row's sample image as a 1000 x 1000 product photo (JPEG, ${Math.round(bytes / 1024)} KiB; decoding, EXIF, Fashion-MNIST's photo conversion and the forward pass) over ${requests} sequential requests straight to the Worker (/proc, 10 ms ticks)`,
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
const isWorkerProcess = (p: GroupProcess): boolean =>
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
  return {
    name: `soak, ${r.requests} requests`,
    value: r.requests - r.errors,
    unit: 'answered',
    verdict: r.passed
      ? `soak passed: no errors, the same answer for every image each time, wasm memory flat${r.rssGrowth === null ? '' : `, Worker RSS ${r.rssGrowth >= 0 ? '+' : ''}${(r.rssGrowth * 100).toFixed(1)}%`}`
      : `soak FAILED: ${problems.join('; ')}`,
    note: `${r.distinctImages} test images cycled over ${r.rounds.length} rounds (${r.rounds.map((x) => (x.kind === 'concurrent' ? `${x.clients} clients` : 'sequential')).join(', ')}) in ${r.seconds.toFixed(0)} s; Worker RSS after each round ${rss} MiB`,
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
    note: "the engine's WebAssembly linear memory (tfjs-backend-wasm's or onnxruntime-web's) after every request of this row (it never shrinks), as the Worker's /health reports it",
  };
}

/**
 * Calls `request` from `clients` concurrent loops until `budget.timeMs` has passed and at least
 * `budget.minIterations` calls were made; returns the count, the elapsed ms and each call's latency.
 */
async function timedLoop(
  budget: { timeMs: number; minIterations: number },
  clients: number,
  request: () => Promise<void>,
): Promise<{ count: number; ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const more = () => performance.now() - t0 < budget.timeMs || latencies.length < budget.minIterations;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (more()) {
        const t = performance.now();
        await request();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { count: latencies.length, ms: performance.now() - t0, latencies };
}

/**
 * One Workers build of the edge endpoint (packages/edge-api: Hono on workerd, its own bundled model; the row's
 * `options.edgeSize` and `options.edgeEngine`, tfjs wasm SIMD or onnxruntime-web int8), reached only over HTTP like
 * any client would. With `EDGE_URL` set it measures that server (when it serves the row's build); otherwise it
 * starts the real `wrangler dev` through the project's own command (`EDGE_SIZE=<size> EDGE_ENGINE=<engine> npm run
 * edge:dev`, offline) on a free port. At another input size than its build's, the row is unavailable at once.
 *
 * What the timings include: HTTP on loopback to the Worker's own workerd socket, the Worker's input parsing and
 * preprocessing, the forward pass and the JSON answer. wrangler dev puts an entry proxy (a second workerd) in front
 * of the Worker, which a deployment does not have: the timed loops bypass it when the runner started the server and
 * can find that socket, and its cost is reported beside them (latency p50 through the proxy); the soak goes through
 * the public port, like any client. The row's memory is this client's, not workerd's.
 * Single images go as `application/octet-stream` (784 bytes), batches as JSON `{"images": [...]}`.
 */
export const createRunner: CreateRunner = (task) => {
  let base = '';
  /** where the timed loops go: the Worker's own socket when found, else `base` */
  let workerBase = '';
  let maxBatch = 16;
  let devGroup: ProcessGroup | null = null;
  const buildSize = task.options.edgeSize === undefined ? task.size : Number(task.options.edgeSize);
  const buildEngine = String(task.options.edgeEngine ?? 'tfjs');
  return {
    get maxBatch() {
      return maxBatch;
    },
    async init() {
      if (buildSize !== task.size) {
        throw new BackendUnavailableError(
          'edge',
          `this row is the ${buildSize} px build: it runs when the bench runs at ${buildSize} px (--size ${buildSize})`,
        );
      }
      if (process.env.EDGE_URL) base = process.env.EDGE_URL.replace(/\/$/, '');
      else ({ url: base, group: devGroup } = await startEdgeDev(buildSize, undefined, buildEngine));
      workerBase = (devGroup && (await workerSocketUrl(devGroup))) ?? base;
      const index = await getJson(`${base}/`);
      maxBatch = Number((index.limits as { maxBatch?: number } | undefined)?.maxBatch ?? maxBatch);
      return {
        engine: 'edge endpoint',
        version: `Hono on workerd, ${buildEngine}`,
        details: {
          build: `${buildSize} px, EDGE_ENGINE=${buildEngine}`,
          url: process.env.EDGE_URL ? base : 'wrangler dev (local workerd), started by the runner',
          transport:
            workerBase === base
              ? "HTTP/1.1 loopback (through wrangler dev's entry proxy: the Worker's own socket was not found)"
              : "HTTP/1.1 loopback to the Worker's own workerd socket (wrangler dev's entry proxy, which a deployment does not have, bypassed; its cost is in the extras)",
          maxBatch,
          memory: 'client process only',
        },
      };
    },
    async load() {
      const loadStarted = performance.now();
      // The first /health makes the Worker load its wasm backend and bundled weights.
      const health = await getJson(`${base}/health`);
      if (health.status !== 'ready') throw new Error(`the edge is not ready: ${JSON.stringify(health)}`);
      const model = await getJson(`${base}/model`);
      if (model.inputSize !== task.size) {
        throw new BackendUnavailableError(
          'edge',
          `the endpoint serves the ${String(model.inputSize)} px model (bundled ${String(model.weightPrecision)} weights), not ${task.size} px`,
        );
      }
      // Servers from before the engine switch do not say: they are tfjs.
      const servedEngine = String((model.engine as { name?: string } | undefined)?.name ?? 'tfjs');
      if (servedEngine !== buildEngine)
        throw new BackendUnavailableError('edge', `the endpoint runs the ${servedEngine} engine, not ${buildEngine}`);
      // One image as 784 raw bytes; the answer is read whole, as a client would.
      const predictOne = async (image: Uint8Array, at = workerBase, type = 'application/octet-stream') => {
        const res = await fetch(`${at}/predict?topk=1`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: image as Uint8Array<ArrayBuffer>,
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
      };
      // The load ends here: the WebAssembly peak probe inside the Worker (GET /probe, seconds of its CPU) comes after,
      // outside the cold start's load phase.
      const loadMs = performance.now() - loadStarted;
      const peakProbe = await workerPeakProbe(workerBase);
      const loaded: LoadedModel = {
        loadMs,
        // Which weights the Worker serves (its own bundle, not the bench's file): the report shows them beside the row.
        details: {
          servedWeights: `${String(model.weightPrecision)}, ${String(model.inputSize)} px`,
          servedEngine,
          servedSha256: String(model.sha256 ?? health.modelSha256 ?? 'unknown'),
          // the served model's accuracy on all 10,000 test images, as its manifest / ONNX metadata records it
          ...(typeof model.testAccuracy === 'number' ? { servedTestAccuracy: model.testAccuracy } : {}),
          workerBackend: String(health.backend ?? 'unknown'),
          // this machine's WebAssembly peak measured inside the Worker (GET /probe; none from a server without it)
          ...peakProbe,
        },
        async infer(batch) {
          const single = batch.n === 1;
          const res = await fetch(`${workerBase}/predict?topk=1`, {
            method: 'POST',
            headers: { 'content-type': single ? 'application/octet-stream' : 'application/json' },
            body: single
              ? (batch.images as Uint8Array<ArrayBuffer>)
              : JSON.stringify({
                  images: Array.from({ length: batch.n }, (_, i) =>
                    Array.from(batch.images.subarray(i * 784, (i + 1) * 784)),
                  ),
                }),
          });
          const body = (await res.json()) as {
            logits?: number[];
            predictions?: { logits: number[] }[];
            error?: { message: string };
          };
          if (res.status !== 200)
            throw new Error(`/predict answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`);
          const rows = single ? [body.logits!] : body.predictions!.map((p) => p.logits);
          return Float32Array.from(rows.flat());
        },
        /**
         * What a single-stream loop cannot show: the CPU time workerd spends per request (utime + stime of the
         * workerd processes in the dev server's process group, from /proc, over sequential requests; only when
         * this runner started the server) against the Workers plans' CPU limits, and throughput and latency
         * with 4 concurrent clients. Each loop runs for the profile's single-stream budget.
         */
        async extraMeasurements({ sample: image, budget, testImages, soakRequests }) {
          const out: ExtraMeasurement[] = [];
          if (devGroup !== null) {
            // through the public port, so that the total includes the entry proxy's CPU
            const before = workerdCpuMs(devGroup);
            const { count, latencies: viaProxy } = await timedLoop(budget, 1, () => predictOne(image.images, base));
            const after = workerdCpuMs(devGroup);
            const workerMs =
              before.workerMs === null || after.workerMs === null ? null : (after.workerMs - before.workerMs) / count;
            out.push(...serverCpuMeasurements({ workerMs, totalMs: (after.totalMs - before.totalMs) / count }, count));
            if (workerBase !== base) {
              const { latencies: direct } = await timedLoop(budget, 1, () => predictOne(image.images));
              out.push(proxyLatencyMeasurement(viaProxy, direct));
            }
            const photo = photoStyleFile(image.images.subarray(0, 784), ONE_MEGAPIXEL_PHOTO, 1);
            const photoBefore = workerdCpuMs(devGroup);
            const photoLoop = await timedLoop(budget, 1, () => predictOne(photo, workerBase, 'image/jpeg'));
            const photoAfter = workerdCpuMs(devGroup);
            if (photoBefore.workerMs !== null && photoAfter.workerMs !== null)
              out.push(
                photoCpuMeasurement(
                  (photoAfter.workerMs - photoBefore.workerMs) / photoLoop.count,
                  photoLoop.count,
                  photo.length,
                ),
              );
          } else {
            out.push({
              name: 'Worker CPU per request',
              value: 'not measured',
              note: 'EDGE_URL points at a server this runner did not start, so its processes are not visible',
            });
          }
          const clients = 4;
          const { count, ms, latencies } = await timedLoop(budget, clients, () => predictOne(image.images));
          latencies.sort((a, b) => a - b);
          out.push({
            name: `throughput, ${clients} concurrent clients`,
            value: round1(count / (ms / 1000)),
            unit: 'requests/s',
            note: `${count} single-image requests; per-request latency under that load p50 ${round1(quantileSorted(latencies, 0.5))} ms, p99 ${round1(quantileSorted(latencies, 0.99))} ms`,
          });
          const health = await getJson(`${base}/health`);
          if (typeof health.wasmHeapBytes === 'number') out.push(workerMemoryMeasurement(health.wasmHeapBytes));
          const rounds = Math.min(5, soakRequests);
          const soak = await soakEdge({
            base,
            images: testImages,
            requests: soakRequests,
            rounds,
            clients: 16,
            workerRssBytes: devGroup ? () => workerRssBytes(devGroup!) : undefined,
          });
          out.push(soakMeasurement(soak));
          return out;
        },
      };
      return loaded;
    },
  };
};

/** The resident memory of the Worker's own workerd process, or null when it cannot be found. */
export function workerRssBytes(group: ProcessGroup): number | null {
  const pid = group.processes().find(isWorkerProcess)?.pid;
  return pid === undefined ? null : processRssBytes(pid);
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BackendUnavailableError(
      'edge',
      `nothing answers at ${url} (${(e as Error).message}); start it with npm run edge:dev or unset EDGE_URL`,
    );
  }
  return (await res.json()) as Record<string, unknown>;
}

/**
 * The URL of the Worker's own workerd socket under `wrangler dev` (its entry proxy forwards there), or null: the
 * ports the Worker's workerd process (the one with an inspector address) listens on, the first that answers
 * `/health` as this Worker (its inspector and debug ports do not).
 */
export async function workerSocketUrl(group: ProcessGroup): Promise<string | null> {
  const worker = group.processes().find(isWorkerProcess);
  if (!worker) return null;
  for (const port of listeningTcpPorts(worker.pid)) {
    const url = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status?: unknown; engine?: unknown };
      if (res.ok && typeof body.status === 'string' && body.engine !== undefined) return url;
    } catch {
      /* not the Worker's HTTP socket */
    }
  }
  return null;
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
    note: `sequential single-image requests to the public port (${viaProxy.length}) against the same requests straight to the Worker's own socket (${direct.length}, p50 ${round1(worker)} ms): the local proxy, which a deployment does not have, adds ${round1(proxy - worker)} ms`,
  };
}

/**
 * Starts the project's own `npm run edge:dev` (wrangler dev, offline) on a free port, in its own process group
 * (core's spawnProcessGroup: its watchdog ends the group if this process dies first, e.g. killed by the bench's
 * timeout). On exit the group gets SIGTERM, so that wrangler removes its temporary build directories. `size` and
 * `engine` become EDGE_SIZE and EDGE_ENGINE (unset: the edge's defaults).
 */
export async function startEdgeDev(
  size?: number,
  timeoutMs = 180_000,
  engine?: string,
): Promise<{ url: string; group: ProcessGroup }> {
  const port = await freePort();
  const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
  const build = {
    ...(size === undefined ? {} : { EDGE_SIZE: String(size) }),
    ...(engine === undefined ? {} : { EDGE_ENGINE: engine }),
  };
  const group = spawnProcessGroup(['npm', 'run', '-s', 'edge:dev'], {
    cwd: repoRoot,
    // The rate limiter off: the bench and the soak measure the engine, and every request comes from this one client.
    // GET /probe on: the row measures this machine's WebAssembly peak inside the Worker too.
    env: { ...process.env, PORT: String(port), EDGE_RATE_LIMIT: 'off', EDGE_PEAK_PROBE: 'on', ...build },
  });
  process.once('exit', () => group.signal('SIGTERM'));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (group.child.exitCode !== null)
      throw new BackendUnavailableError(
        'edge',
        `npm run edge:dev exited (${group.child.exitCode}): ${group.output().trim().slice(-500)}`,
      );
    try {
      if ((await fetch(`${url}/`)).ok) return { url, group };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await group.stop();
  throw new BackendUnavailableError(
    'edge',
    `wrangler dev did not answer within ${timeoutMs / 1000} s: ${group.output().slice(-500)}`,
  );
}
