import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@nin-bench/core-nin';
import type { CreateRunner } from './runner.ts';

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
  return {
    get maxBatch() {
      return maxBatch;
    },
    async init() {
      base = process.env.EDGE_URL?.replace(/\/$/, '') ?? (await startEdgeDev(task.size));
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
      return {
        // Which weights the Worker serves (its own bundle, not the bench's file): the report shows them beside the row.
        details: {
          servedWeights: `${String(model.weightPrecision)}, ${String(model.inputSize)} px`,
          servedSha256: String(model.sha256 ?? health.modelSha256 ?? 'unknown'),
          workerBackend: String(health.backend ?? 'unknown'),
        },
        async infer(batch) {
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
      };
    },
  };
};

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

async function startEdgeDev(size: number, timeoutMs = 180_000): Promise<string> {
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
      if ((await fetch(`${url}/`)).ok) return url;
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
