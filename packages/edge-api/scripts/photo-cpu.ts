// `npm run -w @nin-bench/edge-api photo-cpu`: how large a product photo stays within the Workers Free plan's 10 ms of
// CPU per request. The Worker's CPU grows with the picture (decoding is per pixel, and so is the photo conversion's
// background trim) while the forward pass does not; this measures it on the build's own workerd process, with
// nothing else in that process, over sequential requests of one size at a time.
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { knownFailures, option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { freePort } from '@nin-bench/node-tools/process-group';
import { writeFileAtomic } from '@nin-bench/core-nin/node';
import { encodePhoto, photoStyleImage, squarePhotoVariant } from '@nin-bench/core-nin/data/photo-style';
import { quantileSorted } from '@nin-bench/core-nin/stats/quantile';
import { EDGE_LIMITS } from '../src/limits.ts';
import { EDGE_DIR, describeEdgeBuild } from '../src/node/edge-weights.ts';
import {
  freePlanVerdict,
  largestPhotoWithin,
  photoCpuTable,
  type PhotoCpuResults,
  type PhotoCpuRow,
} from '../src/node/photo-cpu-table.ts';
import { serveWorker, type ServedWorker } from '../src/node/served-worker.ts';
import { edgeBuildFromScriptEnv } from './setup-script.ts';

/** The Workers Free plan's CPU time per request (the bench's workers-pricing.ts holds the plans; the edge reads no bench code). */
const FREE_PLAN_CPU_MS = 10;
/** JPEG long sides measured by default: 0.07 to 4.2 MP, up to the largest picture the edge takes (2048 x 2048) */
const DEFAULT_SIZES = [256, 512, 768, 1000, 1448, 2048];
const MAX_SIDE = Math.floor(Math.sqrt(EDGE_LIMITS.maxImagePixels));
const JPEG_QUALITY = 90;
const PHOTO_SEED = 1;
/** the garment: Fashion-MNIST's first test image (an ankle boot), also the baseline row as its 784 raw bytes */
const TILE_FILE = join(EDGE_DIR, 'examples', 'test-0000-ankle-boot.bin');
const DEFAULT_OUT = join(EDGE_DIR, 'results', 'photo-cpu.json');
/** /proc's CPU times count in clock ticks of 10 ms (USER_HZ 100) */
const TICK_MS = 10;

/**
 * A path as the user typed it: relative to where they ran npm (INIT_CWD), not to this workspace, where `npm run -w`
 * runs the script.
 */
const userPath = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

const COMMAND = 'npm run -w @nin-bench/edge-api photo-cpu --';
const USAGE = `usage: [EDGE_SIZE=...] [EDGE_WEIGHTS=...] [EDGE_ENGINE=...] ${COMMAND} [--sizes 256,512,...] [--requests N] [--warmup N] [--out FILE]

Serves the build the variables select (none: the default build) as \`npm run edge:serve\` does, on one plain workerd
process on a free port, and posts it square JPEG product photos (core's photo-style pictures of the ankle boot: colour
garment on a light backdrop, quality ${JPEG_QUALITY}) of each long side, N sequential requests per size after the
warm-ups. For each it reads that workerd process's CPU time (user + system, /proc, ${TICK_MS} ms ticks: the figure per
request is good to ${TICK_MS}/N ms), the Server-Timing parts (decode, tile, inference; medians) and the median
latency; the same for the 784-byte tile as a baseline. Prints a Markdown table and the largest photo whose CPU per
request is within the Workers Free plan's ${FREE_PLAN_CPU_MS} ms, and writes the figures as JSON.

  --sizes LIST      long sides in px, 28..${MAX_SIDE} (default ${DEFAULT_SIZES.join(',')})
  --requests N      measured requests per size (default 40)
  --warmup N        requests per size before measuring (default 5)
  --out FILE        the JSON (default ${relative(userPath('.'), DEFAULT_OUT)})`;

/** The endpoint or the run went wrong in a way worth one line. */
class PhotoCpuError extends Error {
  override readonly name = 'PhotoCpuError';
}

/** One kind of request measured: a photo of one size, or the raw tile. */
interface Picture {
  readonly name: string;
  /** null for the raw tile */
  readonly longSide: number | null;
  readonly width: number;
  readonly height: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** What one request told: its status, latency and the Worker's Server-Timing parts (ms). */
interface Answer {
  readonly latencyMs: number;
  readonly timing: Record<string, number>;
  readonly label: string;
  readonly fit: string;
}

/**
 * A Server-Timing header's `dur` per metric name: `decode;dur=12.0;desc="...", total;dur=15.0` -> { decode: 12,
 * total: 15 }. Commas inside a quoted description do not split entries.
 */
function serverTimingMs(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!header) return out;
  for (const entry of header.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const [name, ...params] = entry.split(';').map((s) => s.trim());
    const dur = params.find((p) => /^dur=/i.test(p))?.slice(4);
    if (name && dur !== undefined && Number.isFinite(Number(dur))) out[name] = Number(dur);
  }
  return out;
}

async function post(url: string, picture: Picture, signal: AbortSignal): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${url}/predict?topk=1`, {
    method: 'POST',
    headers: { 'content-type': picture.contentType },
    body: picture.body as Uint8Array<ArrayBuffer>,
    signal,
  });
  const text = await res.text();
  const latencyMs = performance.now() - t0;
  if (res.status !== 200)
    throw new PhotoCpuError(`the Worker answered ${res.status} to the ${picture.name}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { label: string; fit: string };
  return { latencyMs, timing: serverTimingMs(res.headers.get('server-timing')), label: body.label, fit: body.fit };
}

const median = (values: readonly number[]) =>
  quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Warm-ups, then `requests` sequential requests, with workerd's CPU time read before and after. */
async function measure(
  served: ServedWorker,
  picture: Picture,
  { requests, warmup, signal }: { requests: number; warmup: number; signal: AbortSignal },
): Promise<PhotoCpuRow> {
  for (let i = 0; i < warmup; i++) await post(served.url, picture, signal);
  const answers: Answer[] = [];
  const before = served.group.cpuMs('workerd');
  for (let i = 0; i < requests; i++) answers.push(await post(served.url, picture, signal));
  const after = served.group.cpuMs('workerd');
  const names = [...new Set(answers.flatMap((a) => Object.keys(a.timing)))];
  const last = answers[answers.length - 1]!;
  return {
    picture: picture.name,
    longSide: picture.longSide,
    width: picture.width,
    height: picture.height,
    megapixels: round((picture.width * picture.height) / 1e6, 4),
    contentType: picture.contentType,
    bytes: picture.body.length,
    requests,
    cpuMsPerRequest: round((after - before) / requests, 3),
    serverTimingMs: Object.fromEntries(
      names.map((n) => [n, round(median(answers.map((a) => a.timing[n] ?? NaN).filter(Number.isFinite)), 2)]),
    ),
    latencyMsP50: round(median(answers.map((a) => a.latencyMs)), 2),
    label: last.label,
    fit: last.fit,
  };
}

await runScript({
  name: 'photo-cpu',
  helpCommand: `${COMMAND} --help`,
  usage: USAGE,
  options: {
    sizes: option.list(option.integer({ min: 28, max: MAX_SIDE })).default(DEFAULT_SIZES),
    requests: option.positiveInteger().default(40),
    warmup: option.integer({ min: 0 }).default(5),
    out: option.string().default(DEFAULT_OUT),
  },
  // the machine's setup (weights, wrangler), workerd or the endpoint failing: one line, exit 1
  knownFailures: knownFailures({ names: ['PhotoCpuError', 'ServeError'], messages: / (is|are) missing: / }),
  async run({ values: { sizes, requests, warmup, out } }) {
    const build = edgeBuildFromScriptEnv();
    const outFile = userPath(out);
    const tile = new Uint8Array(readFileSync(TILE_FILE));
    const pictures: Picture[] = [
      {
        name: '28x28 tile (raw bytes)',
        longSide: null,
        width: 28,
        height: 28,
        contentType: 'application/octet-stream',
        body: tile,
      },
    ];
    for (const side of [...new Set(sizes)].sort((a, b) => a - b)) {
      const image = photoStyleImage(tile, squarePhotoVariant(side, JPEG_QUALITY), PHOTO_SEED);
      pictures.push({
        name: `${side} px JPEG photo`,
        longSide: side,
        width: image.width,
        height: image.height,
        contentType: 'image/jpeg',
        body: encodePhoto(image, 'jpeg', JPEG_QUALITY),
      });
    }

    // Ctrl-C stops workerd and removes its bundle, whatever the step
    const stop = new AbortController();
    const onSignal = () => stop.abort(new PhotoCpuError('stopped before the end; nothing written'));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const loadBefore = loadavg();
    const served = await serveWorker(build, { port: await freePort(), signal: stop.signal });
    try {
      const health = (await (await fetch(`${served.url}/health`)).json()) as Record<string, unknown>;
      console.log(
        `photo-cpu: the ${describeEdgeBuild(build)} build on one plain workerd process (${served.workerdVersion}, pid ${served.group.pid}); ` +
          `${warmup} warm-ups and ${requests} measured requests per picture`,
      );
      const rows: PhotoCpuRow[] = [];
      for (const picture of pictures) {
        stop.signal.throwIfAborted();
        const row = await measure(served, picture, { requests, warmup, signal: stop.signal });
        rows.push(row);
        console.log(
          `  ${row.picture}: ${row.cpuMsPerRequest.toFixed(2)} ms CPU per request, p50 ${row.latencyMsP50.toFixed(1)} ms (${row.label}, fit ${row.fit})`,
        );
      }
      stop.signal.throwIfAborted();
      const loadAfter = loadavg();
      const largest = largestPhotoWithin(rows, FREE_PLAN_CPU_MS);

      console.log(`\n${photoCpuTable(rows)}\n`);
      console.log(freePlanVerdict(largest, FREE_PLAN_CPU_MS));
      const results: PhotoCpuResults = {
        what:
          'Worker CPU per request (user + system time of the one workerd process serving the build, ' +
          `/proc, ${TICK_MS} ms ticks) for square JPEG product photos by size, and the 784-byte tile as a baseline; ` +
          'sequential requests straight to workerd (npm run -w @nin-bench/edge-api photo-cpu)',
        date: new Date().toISOString(),
        machine: {
          cpuModel: cpus()[0]?.model ?? 'unknown',
          cpus: cpus().length,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadAfter,
        },
        node: process.version,
        workerd: served.workerdVersion,
        build: {
          name: describeEdgeBuild(build),
          inputSize: build.inputSize,
          precision: build.precision,
          engine: build.engine,
          wranglerEnv: build.wranglerEnv,
          backend: health.backend ?? null,
          modelSha256: health.modelSha256 ?? null,
        },
        photo: {
          generator: '@nin-bench/core-nin/data/photo-style',
          variant: 'colour-jpeg',
          aspect: 1,
          jpegQuality: JPEG_QUALITY,
          seed: PHOTO_SEED,
          tile: relative(EDGE_DIR, TILE_FILE),
        },
        requests,
        warmup,
        cpuResolutionMsPerRequest: round(TICK_MS / requests, 3),
        freePlanCpuMs: FREE_PLAN_CPU_MS,
        rows,
        largestWithinFreePlan: largest
          ? { longSide: largest.longSide, megapixels: largest.megapixels, cpuMsPerRequest: largest.cpuMsPerRequest }
          : null,
      };
      await writeFileAtomic(outFile, JSON.stringify(results, null, 2) + '\n');
      const shown = relative(userPath('.'), outFile);
      console.log(`results: ${shown.startsWith('..') ? outFile : shown}`);
      return 0;
    } finally {
      await served.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});
