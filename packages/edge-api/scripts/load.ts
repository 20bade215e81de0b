// `npm run edge:load`: a load test of the endpoint with autocannon, through its Node API (its CLI's `-i` reads the
// body file as UTF-8 text, which mangles a binary body: the 784 raw bytes or a picture). Aimed at `npm run
// edge:serve` (one plain workerd, no proxy, no rate limiter) by default.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import autocannon from 'autocannon';
import { UsageError, option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { writeFileAtomic } from '@nin-bench/core-nin/node';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import type { LoadSummary } from '../src/node/load-summary.ts';

const DEFAULT_URL = 'http://127.0.0.1:8788';
const DEFAULT_BODY = join(EDGE_DIR, 'examples', 'test-0000-ankle-boot.bin');

/**
 * A path as the user typed it: relative to where they ran npm (INIT_CWD), not to this workspace, where `npm run -w`
 * runs the script.
 */
const userPath = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

const USAGE = `usage: npm run edge:load -- [--url URL] [--connections N] [--duration S] [--body FILE] [--timeout S] [--json FILE]

Posts one body to the endpoint's /predict over and over from N connections for S seconds (autocannon) and prints
what came back: requests sent and answered, 2xx, each other status with its count, errors and timeouts, requests
per second and latency percentiles. Exits 1 when any request failed (a connection error or a timeout) or was
answered 5xx. Start the endpoint first: \`npm run edge:serve\` (no rate limiter: every request here comes from one
client; wrangler dev's limiter would answer most of them 429).

  --url URL          the endpoint (default ${DEFAULT_URL}); with no path, requests go to /predict
  --connections N    concurrent connections (default 16)
  --duration S       seconds to run (default 120)
  --body FILE        what to post (default ${relative(userPath('.'), DEFAULT_BODY)}, a 28x28
                     tile as 784 raw bytes); its type by extension: .png, .jpg/.jpeg, .webp, .json, else
                     application/octet-stream
  --timeout S        seconds a request may take before it counts as a timeout (default 10)
  --json FILE        also write the summary as JSON`;

/** The content type a body file is posted with, by its extension. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json',
};

/** Not an error of the command line but of what it points at: one line, exit 1. */
class LoadError extends Error {
  override readonly name = 'LoadError';
}

/** Where the requests go: the URL as given, or its /predict when it has no path. */
function predictUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be an http:// URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be an http:// or https:// URL, got "${text}"`);
  if (url.pathname === '/') url.pathname = '/predict';
  return url;
}

/**
 * Opens and closes one TCP connection to the endpoint, so that nothing listening is said in one line up front
 * instead of as thousands of connection errors after the whole duration.
 */
function assertReachable(url: URL): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new LoadError(`cannot reach ${url.origin}: no answer to a connection within 5 s`));
    });
    socket.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new LoadError(
          `cannot reach ${url.origin} (${e.code ?? e.message}): is the endpoint running? \`npm run edge:serve\` starts it`,
        ),
      ),
    );
  });
}

await runScript({
  name: 'edge:load',
  helpCommand: 'npm run edge:load -- --help',
  usage: USAGE,
  options: {
    url: option.string().default(DEFAULT_URL),
    connections: option.positiveInteger({ max: 10_000 }).default(16),
    duration: option.number({ above: 0 }).default(120),
    body: option.string().default(DEFAULT_BODY),
    timeout: option.number({ above: 0 }).default(10),
    json: option.string(),
  },
  knownFailures: (e) => e instanceof LoadError || ['ENOENT', 'EISDIR', 'EACCES'].includes(String(e.code)),
  async run({ values }) {
    const url = predictUrl(values.url);
    const bodyFile = userPath(values.body);
    const body = await readFile(bodyFile);
    const contentType = CONTENT_TYPES[extname(values.body).toLowerCase()] ?? 'application/octet-stream';
    await assertReachable(url);
    const loadAverage = loadavg();

    const instance = autocannon({
      url: url.href,
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      connections: values.connections,
      duration: values.duration,
      timeout: values.timeout,
    });
    const errorMessages: Record<string, number> = {};
    instance.on('reqError', (e: Error & { code?: string }) => {
      const key = e.code ?? e.message;
      errorMessages[key] = (errorMessages[key] ?? 0) + 1;
    });
    // Ctrl-C ends the run early and still prints what it saw
    const stop = () => instance.stop();
    process.once('SIGINT', stop);
    console.log(
      `edge:load: POST ${url.href} (${body.length} bytes, ${contentType}) from ${values.connections} connections for ${values.duration} s`,
    );
    const result = await instance;
    process.off('SIGINT', stop);

    const otherStatuses = Object.fromEntries(
      Object.entries(result.statusCodeStats)
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, { count }]) => [status, count]),
    );
    const answered = result.requests.total;
    const summary: LoadSummary = {
      url: url.href,
      body: { file: bodyFile, bytes: body.length, contentType },
      connections: values.connections,
      durationS: values.duration,
      elapsedS: result.duration,
      timeoutS: values.timeout,
      sent: result.requests.sent,
      answered,
      status2xx: result['2xx'],
      otherStatuses,
      errors: result.errors,
      timeouts: result.timeouts,
      errorMessages,
      requestsPerSecond: result.duration > 0 ? answered / result.duration : 0,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      start: new Date(result.start).toISOString(),
      machine: { cpuModel: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, loadAverage },
      failed: result.errors > 0 || result.timeouts > 0 || result['5xx'] > 0,
    };

    const others = Object.entries(otherStatuses).map(([status, count]) => `${status}: ${count}`);
    const kinds = Object.entries(errorMessages).map(([kind, count]) => `${kind}: ${count}`);
    console.log(
      [
        `requests: ${summary.sent} sent, ${answered} answered in ${summary.elapsedS} s; ${summary.status2xx} 2xx` +
          (others.length ? `; other statuses ${others.join(', ')}` : '; no other status'),
        `errors: ${summary.errors}, of them timeouts (over ${values.timeout} s): ${summary.timeouts}` +
          (kinds.length ? ` (${kinds.join(', ')})` : ''),
        `throughput: ${summary.requestsPerSecond.toFixed(1)} req/s answered`,
        `latency: p50 ${summary.latencyMs.p50} ms, p90 ${summary.latencyMs.p90} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms`,
      ].join('\n'),
    );
    if (values.json) {
      await writeFileAtomic(userPath(values.json), JSON.stringify(summary, null, 2) + '\n');
      console.log(`summary: ${values.json}`);
    }
    if (summary.failed) {
      console.error(
        `edge:load: ${summary.errors} errors (${summary.timeouts} timeouts) and ${result['5xx']} 5xx answers`,
      );
      return 1;
    }
    return 0;
  },
});
