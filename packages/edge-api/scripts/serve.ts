// `npm run edge:serve`: the Worker exactly as `wrangler deploy` would upload it (the dry-run bundle of the build that
// EDGE_SIZE / EDGE_WEIGHTS / EDGE_ENGINE select), served by one plain workerd process on http://127.0.0.1:8788, for
// load tests. wrangler dev puts an entry proxy (a second workerd) in front of the Worker, which a deployment does
// not have and which under load answers some requests 503 itself; here nothing stands between client and Worker.
import { createServer } from 'node:net';
import { UsageError, option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { describeEdgeBuild } from '../src/node/edge-weights.ts';
import { ServeError, WILDCARD_ADDRESSES, serveWorker, type ServedWorker } from '../src/node/served-worker.ts';
import { socketAddress } from '../src/node/workerd.ts';
import { EDGE_BUILD_VARIABLES, edgeBuildFromScriptEnv } from './setup-script.ts';

const DEFAULT_PORT = 8788;

const USAGE = `usage: ${EDGE_BUILD_VARIABLES} [PORT=${DEFAULT_PORT}] npm run edge:serve [-- --ip ADDRESS] [-- --quiet]

Builds the Worker as \`wrangler deploy\` would (--dry-run, offline, no login) for the build the variables select (as
for edge:dev and edge:check; none: the default build) and serves it with one plain \`workerd serve\` process on
http://127.0.0.1:${DEFAULT_PORT}: no wrangler dev entry proxy in front, as deployed, for load tests. wrangler.toml's
[vars] and compatibility date apply; its rate limiter (RATE_LIMITER) is left out, so there is no limit (a load test's
requests all come from one client). Ctrl-C stops it.

  --ip ADDRESS   the address to listen on (default 127.0.0.1; 0.0.0.0, :: or * for every interface)
  --quiet        do not pass workerd's output (one log line per request) through`;

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

await runScript({
  name: 'edge:serve',
  helpCommand: 'npm run edge:serve -- --help',
  usage: USAGE,
  options: { ip: option.string().default('127.0.0.1'), quiet: option.boolean() },
  // Every failure before workerd runs is the machine's setup (no trained weights, wrangler failing): one line, exit 1.
  knownFailures: () => true,
  async run({ values: { ip, quiet } }) {
    const build = edgeBuildFromScriptEnv();
    const port = Number(process.env.PORT ?? DEFAULT_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`PORT must be a TCP port (1-65535), got "${process.env.PORT}"`);
    // else workerd fails to listen, and /health might be answered by whatever holds the port
    await assertPortFree(ip, port);

    // From here on Ctrl-C (SIGINT) or SIGTERM stops workerd and removes the bundle, whatever the step. The handlers stay
    // for the whole run: under npm and tsx a Ctrl-C arrives more than once, and a second one must not kill this
    // script before it has cleaned up.
    const stop = new AbortController();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => stop.abort());
    const stopSignal = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));

    let served: ServedWorker | undefined;
    try {
      try {
        served = await serveWorker(build, { ip, port, signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) return 0;
        if (!(e instanceof ServeError)) throw e;
        // all of it: wrangler's build errors, or workerd's last output, come after its first line
        console.error(`edge:serve: ${e.message}`);
        return 1;
      }
      const { url, worker, workerdVersion, group } = served;
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
      const where = WILDCARD_ADDRESSES.has(ip) ? ` (listening on every interface, ${socketAddress(ip, port)})` : '';
      const env = build.wranglerEnv ? `wrangler --env ${build.wranglerEnv}` : "wrangler.toml's top level";
      const limiter = worker.rateLimiters.length
        ? `no rate limiter (wrangler.toml's ${worker.rateLimiters.join(', ')} left out: a load test's requests all come from one client)`
        : 'no rate limiter';
      console.log(
        `edge:serve: ${url}${where} ready: the ${describeEdgeBuild(build)} build (${env}) as wrangler deploy bundles it, ` +
          `on one plain workerd process (${workerdVersion}, pid ${group.pid}), no proxy; ${limiter}. Ctrl-C stops it.`,
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
      await served?.stop();
      if (stop.signal.aborted) console.log('edge:serve: stopped');
    }
  },
});
