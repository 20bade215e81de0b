// `npm run edge:latency` (see USAGE): measures /predict against the real `wrangler dev`, writes
// packages/edge-api/results/latency-<size>-<precision>.json and prints a Markdown table.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { quantileSorted } from '@nin-bench/core-nin';
import { EDGE_DIR, edgeBuildFromEnv } from '../src/node/edge-weights.ts';
import { REPO_ROOT } from '../src/node/wrangler.ts';
import { startWranglerDev, type WranglerDev } from '../src/node/wrangler-dev.ts';
import { ScriptUsageError, parseScriptArgs, positiveInteger, runScript } from './script-args.ts';

const NAME = 'edge:latency';
const USAGE = `usage: npm run edge:latency -- [--requests N] [--warmup N] [--concurrency C] [--concurrent-requests M] [--url URL] [--out FILE]

Measures /predict against the real wrangler dev (workerd, locally): single-stream latency (p50/p90/p99),
throughput with concurrent clients, and the CPU time workerd spends per request (from /proc, so Linux only).
  --requests N             single-stream requests (default 300), after --warmup N (default 20)
  --concurrency C          clients of the throughput phase (default 4), --concurrent-requests M in all (default 400)
  --url URL                measure a server that is already running (its CPU time is then not measured)
  --out FILE               default packages/edge-api/results/latency-<size>-<precision>.json
EDGE_SIZE=96|224 and EDGE_WEIGHTS=int8|float16|float32 pick the build, as for edge:dev.`;

const values = parseScriptArgs(NAME, USAGE, {
  requests: { type: 'string', default: '300' },
  warmup: { type: 'string', default: '20' },
  concurrency: { type: 'string', default: '4' },
  'concurrent-requests': { type: 'string', default: '400' },
  url: { type: 'string' },
  out: { type: 'string' },
});
const loadAtStart = loadavg();
const { build, requests, warmup, concurrency, concurrentRequests } = await runScript(NAME, USAGE, async () => {
  if (values.url !== undefined && !URL.canParse(values.url)) throw new ScriptUsageError(`--url must be a URL, got "${values.url}"`);
  let build;
  try {
    build = edgeBuildFromEnv();
  } catch (e) {
    throw new ScriptUsageError((e as Error).message);
  }
  return {
    build,
    requests: positiveInteger('requests', values.requests),
    warmup: positiveInteger('warmup', values.warmup),
    concurrency: positiveInteger('concurrency', values.concurrency),
    concurrentRequests: positiveInteger('concurrent-requests', values['concurrent-requests']),
  };
});
const out = values.out ?? join(EDGE_DIR, 'results', `latency-${build.inputSize}-${build.precision}.json`);

interface Sample {
  file: string;
  label: number;
}
const examples = join(EDGE_DIR, 'examples');
const samples = (JSON.parse(await readFile(join(examples, 'samples.json'), 'utf8')) as { samples: Sample[] }).samples.filter((s) => !s.file.includes('280x280'));
const bodies = await Promise.all(samples.map(async (s) => ({ ...s, png: new Uint8Array(await readFile(join(examples, s.file))) })));

/** Percentiles with the bench's (and tinybench's) definition: linear interpolation between closest ranks. */
const percentile = (sorted: number[], p: number) => quantileSorted(sorted, p / 100);
const summarise = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { samples: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, min: s[0], p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1)! };
};

let dev: WranglerDev | undefined;
let url = values.url?.replace(/\/$/, '');
const cpuMs = () => (dev ? dev.workerdCpuMs() : Number.NaN);

await runScript(NAME, USAGE, async () => {
  try {
    url ??= (dev = await startWranglerDev({ build, readyPath: '/' })).url;

    // The first /health loads the model in the isolate (wasm instantiation, weights decode, warm-up pass).
    const initCpu0 = cpuMs();
    const initT0 = performance.now();
    const healthRes = await fetch(`${url}/health`).catch((e: Error) => {
      throw new Error(`nothing answers at ${url}/health (${e.message})`);
    });
    const healthBody = (await healthRes.json()) as Record<string, unknown>;
    if (healthRes.status !== 200) throw new Error(`/health answered ${healthRes.status}: ${JSON.stringify(healthBody)}`);
    const initMs = performance.now() - initT0;
    const initCpuMs = cpuMs() - initCpu0;

    interface Answer {
      index: number;
      timing: { preprocessMs: number; inferenceMs: number };
    }
    async function predict(i: number): Promise<{ ms: number; answer: Answer; label: number }> {
      const b = bodies[i % bodies.length];
      const t0 = performance.now();
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: b.png });
      const answer = (await res.json()) as Answer;
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`/predict answered ${res.status}: ${JSON.stringify(answer)}`);
      return { ms, answer, label: b.label };
    }
    async function health(): Promise<number> {
      const t0 = performance.now();
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      return performance.now() - t0;
    }

    for (let i = 0; i < warmup; i++) await predict(i);

    // Baseline: what a request costs workerd without the model (HTTP, wrangler's proxy worker, JSON).
    const healthCpu0 = cpuMs();
    const healthMs: number[] = [];
    for (let i = 0; i < requests; i++) healthMs.push(await health());
    const healthCpuPerRequest = (cpuMs() - healthCpu0) / requests;

    const cpu0 = cpuMs();
    const single: Awaited<ReturnType<typeof predict>>[] = [];
    for (let i = 0; i < requests; i++) single.push(await predict(i));
    const singleCpuPerRequest = (cpuMs() - cpu0) / requests;

    const cpu1 = cpuMs();
    let next = 0;
    const concurrentMs: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < concurrentRequests) concurrentMs.push((await predict(next++)).ms);
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const concurrentCpuPerRequest = (cpuMs() - cpu1) / concurrentRequests;

    const require = createRequire(import.meta.url);
    const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
    const workerdBin = join(dirname(require.resolve('@cloudflare/workerd-linux-64/package.json')), 'bin', 'workerd');
    const median = (xs: number[]) => summarise(xs).p50;
    const result = {
      createdAt: new Date().toISOString(),
      command: `npm run -w @nin-bench/edge-api latency -- ${process.argv.slice(2).join(' ')}`.trim(),
      target: dev ? 'wrangler dev (local workerd), started by this script' : url,
      build: { inputSize: build.inputSize, precision: build.precision, wranglerEnv: build.wranglerEnv },
      machine: { cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: { start: loadAtStart, end: loadavg() } },
      versions: { wrangler: version('wrangler'), workerd: execFileSync(workerdBin, ['--version'], { encoding: 'utf8' }).trim(), hono: (JSON.parse(await readFile(join(EDGE_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.hono },
      health: healthBody,
      firstRequest: { wallMs: initMs, workerdCpuMs: initCpuMs, what: 'first /health of a fresh isolate: loads the wasm backend and the weights, runs one warm-up pass' },
      request: `POST /predict, image/png, the ${bodies.length} example test images in turn (28x28 gray, ~${Math.round(bodies.reduce((a, b) => a + b.png.length, 0) / bodies.length)} bytes)`,
      singleStream: {
        ...summarise(single.map((s) => s.ms)),
        serverPreprocessMsMedian: median(single.map((s) => s.answer.timing.preprocessMs)),
        serverInferenceMsMedian: median(single.map((s) => s.answer.timing.inferenceMs)),
        correct: single.filter((s) => s.answer.index === s.label).length,
      },
      concurrent: { clients: concurrency, requests: concurrentRequests, requestsPerSecond: concurrentRequests / wallS, latency: summarise(concurrentMs) },
      cpu: {
        method: 'utime+stime of the workerd processes of this wrangler dev (/proc/<pid>/stat, 10 ms ticks), before and after each phase, divided by its requests',
        predictMsPerRequestSingleStream: singleCpuPerRequest,
        predictMsPerRequestConcurrent: concurrentCpuPerRequest,
        healthMsPerRequest: healthCpuPerRequest,
        predictMinusHealthMs: singleCpuPerRequest - healthCpuPerRequest,
      },
      healthLatency: summarise(healthMs),
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2) + '\n');

    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
    const ss = result.singleStream;
    console.log(`\n/predict on ${result.target}; ${result.machine.cpuModel}, ${result.machine.cores} cores (load average ${loadAtStart[0].toFixed(2)} at the start), Node ${result.machine.node}, wrangler ${result.versions.wrangler}, ${result.versions.workerd}\n`);
    console.log('| measure | value |\n| --- | --- |');
    console.log(`| single-stream latency p50 / p90 / p99 (ms, ${ss.samples} requests) | ${f(ss.p50)} / ${f(ss.p90)} / ${f(ss.p99)} |`);
    console.log(`| server-side timing, median (ms): preprocess / inference | ${f(ss.serverPreprocessMsMedian)} / ${f(ss.serverInferenceMsMedian)} |`);
    console.log(`| throughput, ${concurrency} concurrent clients (requests/s) | ${f(result.concurrent.requestsPerSecond)} (p50 ${f(result.concurrent.latency.p50)} ms, p99 ${f(result.concurrent.latency.p99)} ms) |`);
    console.log(`| workerd CPU per /predict (ms): single-stream / concurrent | ${f(singleCpuPerRequest)} / ${f(concurrentCpuPerRequest)} |`);
    console.log(`| workerd CPU per /health (ms), the HTTP + proxy overhead | ${f(healthCpuPerRequest)} |`);
    console.log(`| first request of a fresh isolate (model load): wall / workerd CPU (ms) | ${f(initMs)} / ${f(initCpuMs)} |`);
    console.log(`| correct classes (single-stream, the ${bodies.length} example images repeated) | ${ss.correct} / ${ss.samples} |`);
    console.log(`\nwrote ${relative(REPO_ROOT, out)}`);
  } finally {
    await dev?.stop();
  }
});
