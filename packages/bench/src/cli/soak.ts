import { writeFile } from 'node:fs/promises';
import { EDGE_ENGINE_ROWS, type EdgeEngine } from '../plan/edge-rows.ts';
import { UsageError, defineCommand, option, type ParsedArgs } from '@nin-bench/core-nin/node/cli-args';
import { describeSoak, soakEdge } from '../edge/soak.ts';
import { workerRssBytes } from '../runners/edge-measurements.ts';
import { startEdgeDev } from '../runners/edge-server.ts';

const SOAK_USAGE = `usage: nin-bench soak [--url URL | --size N --engine E] [--requests N] [--clients N] [--rounds N] [--images N] [--json FILE]

Sends real Fashion-MNIST test images to the edge endpoint, in rounds that alternate between N concurrent
clients and one sequential client, and checks: no errors, the same answer every time for the same image,
the Worker's wasm memory flat, and the Worker process's RSS at the end within 10% of its value after the
first round. Exit 0 when every check passes, 1 otherwise (or when nothing answers).
  --url URL        an endpoint that is already running (its process memory is then not visible)
  --size N         otherwise: start \`npm run edge:dev\` with EDGE_SIZE=N (default: the edge's default build)
  --engine E       ... and EDGE_ENGINE=E: ${Object.keys(EDGE_ENGINE_ROWS).join(', ')} (default: as the edge picks for that size)
  --requests N     requests in all (default 10000)
  --clients N      clients of the concurrent rounds (default 16)
  --rounds N       rounds (default 5: concurrent, sequential, concurrent, sequential, concurrent)
  --images N       distinct test images, cycled (default 500)
  --json FILE      also write the result as JSON`;

const OPTIONS = {
  url: option.string(),
  size: option.inputSize(),
  engine: option.choice(Object.keys(EDGE_ENGINE_ROWS) as EdgeEngine[]),
  requests: option.positiveInteger().default(10_000),
  clients: option.positiveInteger().default(16),
  rounds: option.positiveInteger().default(5),
  images: option.positiveInteger().default(500),
  json: option.string(),
};

export const command = defineCommand({ usage: SOAK_USAGE, options: OPTIONS, run });

async function run({ values }: ParsedArgs<typeof OPTIONS>): Promise<number> {
  if (values.url !== undefined && values.size !== undefined)
    throw new UsageError('--url and --size exclude each other (--size starts a server of that build)');
  if (values.url !== undefined && values.engine !== undefined)
    throw new UsageError('--url and --engine exclude each other (--engine starts a server of that build)');
  if (values.url !== undefined && !/^https?:\/\//.test(values.url))
    throw new UsageError(`--url must be an http(s) URL, got "${values.url}"`);
  const { requests, clients, rounds, images: imageCount, size, engine } = values;
  if (requests < rounds) throw new UsageError(`--requests must be at least --rounds (${rounds})`);

  const { loadFashionMnist } = await import('@nin-bench/core-nin/node');
  const test = await loadFashionMnist('test');
  const count = Math.min(imageCount, test.count);
  const images = { images: test.images.subarray(0, count * 784), count };

  let base = values.url?.replace(/\/$/, '');
  let dev: Awaited<ReturnType<typeof startEdgeDev>> | null = null;
  if (base === undefined) {
    const build = [size ? `EDGE_SIZE=${size}` : '', engine ? `EDGE_ENGINE=${engine}` : ''].filter(Boolean).join(' ');
    console.error(`soak: starting npm run edge:dev${build ? ` (${build})` : ''} ...`);
    dev = await startEdgeDev(size, undefined, engine);
    base = dev.url;
  }
  try {
    let shown = -1;
    const result = await soakEdge({
      base,
      images,
      requests,
      clients,
      rounds,
      workerRssBytes: dev ? () => workerRssBytes(dev!.group) : undefined,
      onProgress: (done, total) => {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== shown) {
          shown = tenth;
          process.stderr.write(`soak: ${done}/${total} requests\n`);
        }
      },
    });
    for (const line of describeSoak(result)) console.log(line);
    if (values.json)
      await writeFile(
        values.json,
        `${JSON.stringify({ base: values.url ?? 'wrangler dev started by nin-bench soak', size: size ?? null, engine: engine ?? null, ...result }, null, 2)}\n`,
      );
    return result.passed ? 0 : 1;
  } finally {
    await dev?.group.stop();
  }
}
