// A build's Worker served as it is deployed: the dry-run bundle `wrangler deploy` would upload, on one plain workerd
// process, with no wrangler dev entry proxy in front and no rate limiter. `npm run edge:serve` keeps it up until
// Ctrl-C; the photo-cpu script reads that one process's CPU time per request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { deployedWorker, type DeployedWorker } from './deployed-worker.ts';
import { ensureEdgeWeights, type EdgeBuild } from './edge-weights.ts';
import { socketAddress, workerdBinary, workerdConfig } from './workerd.ts';

/** from start to /health ready: the bundle is read and the model loaded on the first request */
export const READY_TIMEOUT_MS = 60_000;

/** Addresses that mean every interface: workerd takes them as they are. */
export const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['*', '0.0.0.0', '::']);

/** The URL this machine reaches a server listening on `ip`:`port` at (its own address for a wildcard). */
export function localUrl(ip: string, port: number): string {
  const host = WILDCARD_ADDRESSES.has(ip) ? (ip === '::' ? '[::1]' : '127.0.0.1') : ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${port}`;
}

/**
 * The Worker could not be served: wrangler failed to bundle it, or workerd exited or did not answer ready. The first
 * line says what happened; the lines after it are wrangler's errors or workerd's last output.
 */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}

export interface ServedWorker {
  /** where it answers, e.g. http://127.0.0.1:8788 */
  readonly url: string;
  /** the bundle and what wrangler.toml gives it */
  readonly worker: DeployedWorker;
  /** `workerd --version`, e.g. `workerd 2026-04-26` */
  readonly workerdVersion: string;
  /** workerd's process group; its leader (group.pid) is the workerd process itself */
  readonly group: ProcessGroup;
  /** stops workerd and removes the bundle */
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** the address to listen on (default 127.0.0.1) */
  readonly ip?: string;
  readonly port: number;
  /** aborting it stops what has started and rejects with its reason (Ctrl-C while bundling or loading) */
  readonly signal?: AbortSignal;
}

/** What a failed start shows of workerd: its last lines. */
const lastOutput = (group: ProcessGroup) => group.output().trimEnd().split('\n').slice(-20).join('\n');

/**
 * Polls GET /health until it answers `status: ready`; resolves not ready when workerd exits first, time runs out or
 * `cancelled()` turns true.
 */
async function waitForReady(
  url: string,
  group: ProcessGroup,
  cancelled: () => boolean,
): Promise<{ ready: boolean; last: string }> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline && !cancelled() && group.child.exitCode === null && group.child.signalCode === null) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      last = `${res.status} ${body}`;
      if (res.ok && (JSON.parse(body) as { status?: string }).status === 'ready') return { ready: true, last };
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ready: false, last };
}

/**
 * Bundles `build` as `wrangler deploy --dry-run` does (its own temporary folder: an edge:check of the same build,
 * which empties .bundle/<build>, cannot pull files from under it), serves it with `workerd serve` and resolves once
 * /health answers ready. Missing weights are made or refused as ensureEdgeWeights does; a failure to bundle or to
 * start is a ServeError; either way nothing is left running or on disk.
 */
export async function serveWorker(build: EdgeBuild, options: ServeOptions): Promise<ServedWorker> {
  const { ip = '127.0.0.1', port, signal } = options;
  const url = localUrl(ip, port);
  await ensureEdgeWeights(build);
  signal?.throwIfAborted();
  const outdir = mkdtempSync(join(tmpdir(), 'edge-serve-'));
  let group: ProcessGroup | undefined;
  const cleanUp = async () => {
    await group?.stop();
    rmSync(outdir, { recursive: true, force: true });
  };
  try {
    let worker: DeployedWorker;
    try {
      worker = await deployedWorker(build, outdir);
    } catch (e) {
      // all of it: wrangler's build errors come after its first line
      throw new ServeError((e as Error).message);
    }
    signal?.throwIfAborted();
    writeFileSync(
      join(outdir, 'config.capnp'),
      workerdConfig({
        modules: worker.modules,
        vars: worker.vars,
        compatibilityDate: worker.compatibilityDate,
        compatibilityFlags: worker.compatibilityFlags,
        address: socketAddress(ip, port),
      }),
    );
    const binary = workerdBinary();
    const workerdVersion = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    group = spawnProcessGroup([binary, 'serve', 'config.capnp'], { cwd: outdir });
    const { ready, last } = await waitForReady(url, group, () => signal?.aborted ?? false);
    signal?.throwIfAborted();
    if (!ready) {
      const exited = group.child.exitCode !== null || group.child.signalCode !== null;
      throw new ServeError(
        `${
          exited
            ? `workerd exited (${group.child.exitCode ?? group.child.signalCode}) before /health answered ready; its last output:`
            : `/health did not answer ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last.slice(0, 500)}); workerd's last output:`
        }\n${lastOutput(group) || '(none)'}`,
      );
    }
    return { url, worker, workerdVersion, group, stop: cleanUp };
  } catch (e) {
    await cleanUp();
    throw e;
  }
}
