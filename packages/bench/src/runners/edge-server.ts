import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { freePort, listeningTcpPorts, spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { isWorkerProcess } from './edge-measurements.ts';

// Starting (and stopping) the edge Worker the edge row measures, and the URLs it is reached at.

/** The edge endpoint a row measures. */
export interface EdgeServer {
  /** the public URL: EDGE_URL, or wrangler dev's port (its entry proxy) */
  readonly base: string;
  /** where the timed loops go: the Worker's own workerd socket when found, else `base` */
  readonly workerBase: string;
  /** wrangler dev's process group when this runner started it (its processes' CPU and memory are then visible) */
  readonly devGroup: ProcessGroup | null;
}

/**
 * The endpoint of the row's build: the server at `EDGE_URL` when set, else `wrangler dev` started for the build
 * (startEdgeDev), reached straight at the Worker's own socket when it can be found.
 */
export async function connectEdge(buildSize: number, buildEngine: string): Promise<EdgeServer> {
  if (process.env.EDGE_URL) {
    const base = process.env.EDGE_URL.replace(/\/$/, '');
    return { base, workerBase: base, devGroup: null };
  }
  const { url: base, group } = await startEdgeDev(buildSize, undefined, buildEngine);
  return { base, workerBase: (await workerSocketUrl(group)) ?? base, devGroup: group };
}

/** GET `url` as JSON; nothing answering there makes the row unavailable, with how to start the server. */
export async function getJson(url: string): Promise<Record<string, unknown>> {
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
  if (await answersWithin(url, group, timeoutMs)) return { url, group };
  await group.stop();
  throw new BackendUnavailableError(
    'edge',
    `wrangler dev did not answer within ${timeoutMs / 1000} s: ${group.output().slice(-500)}`,
  );
}

/** Polls `url` until it answers (true), the group exits (unavailable, with its output) or `timeoutMs` passes. */
async function answersWithin(url: string, group: ProcessGroup, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (group.child.exitCode !== null)
      throw new BackendUnavailableError(
        'edge',
        `npm run edge:dev exited (${group.child.exitCode}): ${group.output().trim().slice(-500)}`,
      );
    try {
      if ((await fetch(`${url}/`)).ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
