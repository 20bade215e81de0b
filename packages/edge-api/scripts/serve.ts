// `npm run edge:serve`: the Worker exactly as `wrangler deploy` would upload it (the dry-run bundle of the build that
// EDGE_SIZE / EDGE_WEIGHTS / EDGE_ENGINE select), served by one plain workerd process on http://127.0.0.1:8788, for
// load tests. wrangler dev puts an entry proxy (a second workerd) in front of the Worker, which a deployment does
// not have and which under load answers some requests 503 itself; here nothing stands between client and Worker.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { spawnProcessGroup, type ProcessGroup } from '@nin-bench/core-nin/node/process-group';
import { deployedWorker } from '../src/node/deployed-worker.ts';
import { describeEdgeBuild, edgeBuildFromEnv, ensureEdgeWeights } from '../src/node/edge-weights.ts';
import { socketAddress, workerdBinary, workerdConfig } from '../src/node/workerd.ts';

const DEFAULT_PORT = 8788;
/** from start to /health ready: the bundle is read and the model loaded on the first request */
const READY_TIMEOUT_MS = 60_000;

const USAGE = `usage: [EDGE_SIZE=224|100|96] [EDGE_WEIGHTS=int8|float16|float32] [EDGE_ENGINE=tfjs|onnxruntime-int8] [PORT=${DEFAULT_PORT}] npm run edge:serve [-- --ip ADDRESS] [-- --quiet]

Builds the Worker as \`wrangler deploy\` would (--dry-run, offline, no login) for the build the variables select (as
for edge:dev and edge:check; none: the default build) and serves it with one plain \`workerd serve\` process on
http://127.0.0.1:${DEFAULT_PORT}: no wrangler dev entry proxy in front, as deployed, for load tests. wrangler.toml's
[vars] and compatibility date apply; its rate limiter (RATE_LIMITER) is left out, so there is no limit (a load test's
requests all come from one client). Ctrl-C stops it.

  --ip ADDRESS   the address to listen on (default 127.0.0.1; 0.0.0.0, :: or * for every interface)
  --quiet        do not pass workerd's output (one log line per request) through`;

/** Addresses that mean every interface: workerd takes them as they are. */
const WILDCARDS = new Set(['*', '0.0.0.0', '::']);

/** Throws a one-line error when something already listens on `ip`:`port`. */
function assertPortFree(ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} is in use on ${ip} (PORT=... picks another)`
            : `cannot listen on ${ip}:${port}: ${e.message}`,
        ),
      ),
    );
    server.listen(port, ip === '*' ? undefined : ip, () => server.close(() => resolve()));
  });
}

/** What edge:serve says when workerd stops or fails: its last lines. */
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

await runScript({
  name: 'edge:serve',
  helpCommand: 'npm run edge:serve -- --help',
  usage: USAGE,
  options: { ip: option.string().default('127.0.0.1'), quiet: option.boolean() },
  // Every failure before workerd runs is the machine's setup (no trained weights, wrangler failing): one line, exit 1.
  knownFailures: () => true,
  async run({ values: { ip, quiet } }) {
    let build;
    try {
      build = edgeBuildFromEnv();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const port = Number(process.env.PORT ?? DEFAULT_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`PORT must be a TCP port (1-65535), got "${process.env.PORT}"`);
    // the address this script asks /health at, and prints: this machine's for a wildcard
    const host = WILDCARDS.has(ip) ? (ip === '::' ? '[::1]' : '127.0.0.1') : ip.includes(':') ? `[${ip}]` : ip;
    const url = `http://${host}:${port}`;
    // else workerd fails to listen, and /health might be answered by whatever holds the port
    await assertPortFree(ip, port);

    // From here on Ctrl-C (SIGINT) or SIGTERM stops workerd and removes the bundle, whatever the step. The handlers stay
    // for the whole run: under npm and tsx a Ctrl-C arrives more than once, and a second one must not kill this
    // script before it has cleaned up.
    let stopRequested = false;
    const stopSignal = new Promise<void>((resolve) => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const)
        process.on(sig, () => {
          stopRequested = true;
          resolve();
        });
    });

    await ensureEdgeWeights(build);
    // its own folder: an edge:check of the same build (which empties .bundle/<build>) cannot pull files from under it
    const outdir = mkdtempSync(join(tmpdir(), 'edge-serve-'));
    let group: ProcessGroup | undefined;
    try {
      let worker;
      try {
        worker = await deployedWorker(build, outdir);
        if (stopRequested) return 0;
      } catch (e) {
        // all of it: wrangler's build errors come after its first line
        console.error(`edge:serve: ${(e as Error).message}`);
        return 1;
      }
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
      const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
      group = spawnProcessGroup([binary, 'serve', 'config.capnp'], { cwd: outdir });
      const { ready, last } = await waitForReady(url, group, () => stopRequested);
      if (stopRequested) return 0;
      if (!ready) {
        const exited = group.child.exitCode !== null || group.child.signalCode !== null;
        console.error(
          exited
            ? `edge:serve: workerd exited (${group.child.exitCode ?? group.child.signalCode}) before /health answered ready; its last output:`
            : `edge:serve: /health did not answer ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last.slice(0, 500)}); workerd's last output:`,
        );
        console.error(lastOutput(group) || '(none)');
        return 1;
      }
      // From here on workerd's output is the user's: the app's one JSON line per request on stdout, errors on stderr.
      // It goes straight through instead of into the group's output buffer, which would hold every line of a
      // long load test.
      group.child.stdout!.removeAllListeners('data');
      group.child.stderr!.removeAllListeners('data');
      // read even with --quiet: a full pipe would stall workerd
      group.child.stdout!.on('data', (d: Buffer) => {
        if (!quiet) process.stdout.write(d);
      });
      group.child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
      const where = WILDCARDS.has(ip) ? ` (listening on every interface, ${socketAddress(ip, port)})` : '';
      const env = build.wranglerEnv ? `wrangler --env ${build.wranglerEnv}` : "wrangler.toml's top level";
      const limiter = worker.rateLimiters.length
        ? `no rate limiter (wrangler.toml's ${worker.rateLimiters.join(', ')} left out: a load test's requests all come from one client)`
        : 'no rate limiter';
      console.log(
        `edge:serve: ${url}${where} ready: the ${describeEdgeBuild(build)} build (${env}) as wrangler deploy bundles it, ` +
          `on one plain workerd process (${version}, pid ${group.pid}), no proxy; ${limiter}. Ctrl-C stops it.`,
      );

      const outcome = await Promise.race([
        stopSignal.then(() => 'stop' as const),
        group.exited.then(() => 'exited' as const),
      ]);
      if (outcome === 'exited') {
        // its output has been passed through (stdout unless --quiet)
        console.error(`edge:serve: workerd exited (${group.child.exitCode ?? group.child.signalCode})`);
        return 1;
      }
      return 0;
    } finally {
      await group?.stop();
      rmSync(outdir, { recursive: true, force: true });
      if (stopRequested) console.log('edge:serve: stopped');
    }
  },
});
