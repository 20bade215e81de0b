import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { freePort, listeningTcpPorts, spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { photoStyleFile } from '@nin-bench/core-nin/data/photo-style';
import { quantileSorted } from '../stats/summary.ts';
import { workerPeakProbe } from './edge-peak-probe.ts';
import type { CreateRunner, ExtraMeasurement, LoadedModel } from './runner.ts';
import {
  ONE_MEGAPIXEL_PHOTO,
  isWorkerProcess,
  photoCpuMeasurement,
  proxyLatencyMeasurement,
  round1,
  serverCpuMeasurements,
  soakMeasurement,
  workerMemoryMeasurement,
  workerRssBytes,
  workerdCpuMs,
} from './edge-measurements.ts';

export {
  serverCpuMeasurements,
  soakMeasurement,
  workerMemoryMeasurement,
  workerRssBytes,
  workerdCpuMs,
  proxyLatencyMeasurement,
};

import { soakEdge } from '../edge/soak.ts';

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
      // The cold first request's Worker CPU: from before the first /health (which makes the Worker load its wasm
      // backend and bundled model) to the end of the first /predict (the harness's first inference).
      const coldCpuBefore = devGroup ? workerdCpuMs(devGroup).workerMs : null;
      let coldCpuMs: number | null | undefined;
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
          if (coldCpuMs === undefined) {
            const after = devGroup ? workerdCpuMs(devGroup).workerMs : null;
            coldCpuMs = coldCpuBefore === null || after === null ? null : after - coldCpuBefore;
          }
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
          if (coldCpuMs != null)
            out.push({
              name: 'Worker CPU, cold first request',
              value: round1(coldCpuMs),
              unit: 'ms',
              note: "user + system CPU of the Worker's own workerd process from before the first /health (the Worker loads its wasm engine and bundled model) to the end of the first single-image /predict (/proc, 10 ms ticks); what a new isolate's first visitor costs, the script's own start-up excluded",
            });
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
