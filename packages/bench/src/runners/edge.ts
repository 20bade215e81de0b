import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readFileSync, readdirSync } from 'node:fs';
import { BackendUnavailableError } from '@nin-bench/core-nin';
import type { CreateRunner, LoadedModel } from './runner.ts';

/** Workers Free plan: CPU time allowed per request (https://developers.cloudflare.com/workers/platform/limits/). */
const FREE_PLAN_CPU_MS = 10;

/** The extra figures of the edge row, measured after the harness's scenarios (not timed by it). */
export type EdgeExtras = () => Promise<Record<string, string | number | boolean>>;

/**
 * The edge endpoint (packages/edge-api: Hono on workerd, tfjs wasm SIMD, its own bundled int8 weights), reached
 * only over HTTP like any client would. With `EDGE_URL` set it measures that server; otherwise it starts the
 * real `wrangler dev` through the project's own command (`EDGE_SIZE=<size> npm run edge:dev`, offline) on a
 * free port; the edge offers the 96 and 224 px models, other sizes make the row unavailable.
 *
 * What the timings include: HTTP on loopback through wrangler dev's proxy, the Worker's input parsing and
 * preprocessing, the forward pass and the JSON answer. The row's memory is this client's, not workerd's.
 * Single images go as `application/octet-stream` (784 bytes), batches as JSON `{"images": [...]}`.
 */
export const createRunner: CreateRunner = (task) => {
  let base = '';
  let maxBatch = 16;
  let devGroup: number | null = null;
  return {
    get maxBatch() {
      return maxBatch;
    },
    async init() {
      if (process.env.EDGE_URL) base = process.env.EDGE_URL.replace(/\/$/, '');
      else ({ url: base, pgid: devGroup } = await startEdgeDev(task.size));
      const index = await getJson(`${base}/`);
      maxBatch = Number((index.limits as { maxBatch?: number } | undefined)?.maxBatch ?? maxBatch);
      return {
        engine: 'edge endpoint',
        version: 'Hono on workerd',
        details: {
          url: process.env.EDGE_URL ? base : 'wrangler dev (local workerd), started by the runner',
          transport: 'HTTP/1.1 loopback',
          maxBatch,
          memory: 'client process only',
        },
      };
    },
    async load() {
      // The first /health makes the Worker load its wasm backend and bundled weights.
      const health = await getJson(`${base}/health`);
      if (health.status !== 'ready') throw new Error(`the edge is not ready: ${JSON.stringify(health)}`);
      const model = await getJson(`${base}/model`);
      if (model.inputSize !== task.size) {
        throw new BackendUnavailableError('edge', `the endpoint serves the ${String(model.inputSize)} px model (bundled ${String(model.weightPrecision)} weights), not ${task.size} px`);
      }
      let sample: Uint8Array | undefined;
      const predictOne = async (image: Uint8Array) => {
        const res = await fetch(`${base}/predict?topk=1`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: image as Uint8Array<ArrayBuffer> });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
      };
      const loaded: LoadedModel & { extraMeasurements: EdgeExtras } = {
        // Which weights the Worker serves (its own bundle, not the bench's file): the report shows them beside the row.
        details: {
          servedWeights: `${String(model.weightPrecision)}, ${String(model.inputSize)} px`,
          servedSha256: String(model.sha256 ?? health.modelSha256 ?? 'unknown'),
          workerBackend: String(health.backend ?? 'unknown'),
        },
        async infer(batch) {
          sample ??= batch.images.slice(0, 784);
          const single = batch.n === 1;
          const res = await fetch(`${base}/predict?topk=1`, {
            method: 'POST',
            headers: { 'content-type': single ? 'application/octet-stream' : 'application/json' },
            body: single ? (batch.images as Uint8Array<ArrayBuffer>) : JSON.stringify({ images: Array.from({ length: batch.n }, (_, i) => Array.from(batch.images.subarray(i * 784, (i + 1) * 784))) }),
          });
          const body = (await res.json()) as { logits?: number[]; predictions?: { logits: number[] }[]; error?: { message: string } };
          if (res.status !== 200) throw new Error(`/predict answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`);
          const rows = single ? [body.logits!] : body.predictions!.map((p) => p.logits);
          return Float32Array.from(rows.flat());
        },
        /**
         * What a single-stream loop cannot show: the CPU time workerd spends per request (utime + stime of the
         * workerd processes in the dev server's process group, from /proc, over sequential requests; only when
         * this runner started the server) against the Free plan's limit, and throughput with 4 concurrent clients.
         */
        async extraMeasurements() {
          const image = sample ?? new Uint8Array(784);
          const out: Record<string, string | number | boolean> = {};
          if (devGroup !== null) {
            const n = 100;
            const before = groupCpuMs(devGroup, 'workerd');
            for (let i = 0; i < n; i++) await predictOne(image);
            const cpuMs = (groupCpuMs(devGroup, 'workerd') - before) / n;
            out.workerdCpuMsPerRequest = Math.round(cpuMs * 10) / 10;
            out.cpuLimitFit =
              cpuMs <= FREE_PLAN_CPU_MS
                ? `within the Workers Free plan's ${FREE_PLAN_CPU_MS} ms CPU per request (not the model load on a new isolate)`
                : `over the Workers Free plan's ${FREE_PLAN_CPU_MS} ms CPU per request: needs Workers Paid (30 s by default)`;
          } else {
            out.workerdCpuMsPerRequest = 'not measured (EDGE_URL: the server is not this runner\'s)';
          }
          const clients = 4;
          const total = 200;
          let next = 0;
          const t0 = performance.now();
          await Promise.all(Array.from({ length: clients }, async () => {
            while (next++ < total) await predictOne(image);
          }));
          out.concurrent4RequestsPerSecond = Math.round((total / ((performance.now() - t0) / 1000)) * 10) / 10;
          return out;
        },
      };
      return loaded;
    },
  };
};

/** utime + stime (ms) of the processes named `comm` in process group `pgid` (Linux /proc; 10 ms ticks). */
function groupCpuMs(pgid: number, comm: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (name === comm && Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10; // USER_HZ is 100 on every Linux ABI Node supports
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new BackendUnavailableError('edge', `nothing answers at ${url} (${(e as Error).message}); start it with npm run edge:dev or unset EDGE_URL`);
  }
  return (await res.json()) as Record<string, unknown>;
}

// The dev server runs in its own process group led by a shell that becomes `npm run edge:dev`, with a watchdog
// inside the group that ends it when this process exits: the bench kills its children on a timeout, and
// wrangler must not outlive them.
const WATCHDOG =
  'parent=$1; shift; ' +
  '( trap "" TERM; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -TERM 0; sleep 3; kill -KILL 0 ) >/dev/null 2>&1 & ' +
  'exec "$@"';

async function startEdgeDev(size: number, timeoutMs = 180_000): Promise<{ url: string; pgid: number }> {
  const port = await freePort();
  const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'edge-dev', String(process.pid), 'npm', 'run', '-s', 'edge:dev'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), EDGE_SIZE: String(size) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new BackendUnavailableError('edge', `npm run edge:dev exited (${child.exitCode}): ${log.slice(-500)}`);
    try {
      if ((await fetch(`${url}/`)).ok) return { url, pgid: child.pid! };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new BackendUnavailableError('edge', `wrangler dev did not answer within ${timeoutMs / 1000} s: ${log.slice(-500)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
