// `npm run edge:check`: bundles the Worker as `wrangler deploy` would (--dry-run, offline, no login), prints every
// module's size raw and gzipped, and fails when the total is over Workers' size limit (64 MiB uncompressed on every
// plan since 2026); the former gzip limits (Free 3 MiB, Paid 10 MiB) are printed beside it.
// EDGE_WEIGHTS=int8|float16|float32, EDGE_SIZE=224|100|96 and EDGE_ENGINE=tfjs|onnxruntime-int8 pick the build.
import { FORMER_GZIP_LIMITS, WORKER_SIZE_LIMIT, checkBundle } from '../src/node/bundle-size.ts';
import { edgeBuildFromEnv } from '../src/node/edge-weights.ts';
import { UsageError, runScript } from '@nin-bench/core-nin/node/cli-args';

const USAGE = `usage: [EDGE_SIZE=224|100|96] [EDGE_WEIGHTS=int8|float16|float32] [EDGE_ENGINE=tfjs|onnxruntime-int8] npm run edge:check

Bundles the Worker as \`wrangler deploy\` would (--dry-run, offline, no login), prints every module's size raw
and gzipped, and exits 1 when the total is over Workers' size limit: 64 MiB uncompressed on every plan
(${WORKER_SIZE_LIMIT.source}, read ${WORKER_SIZE_LIMIT.read}). The former limits on the gzipped upload
(Free 3 MiB, Paid 10 MiB) are printed as a note.`;

await runScript({
  name: 'edge:check',
  helpCommand: 'npm run edge:check -- --help',
  usage: USAGE,
  // --help, and nothing else: the build is chosen by the variables above
  options: {},
  // Every failure here is the machine's setup (no trained weights, wrangler failing): one line, exit 1.
  knownFailures: () => true,
  async run() {
    if (process.env.EDGE_PLAN !== undefined)
      throw new UsageError('EDGE_PLAN is gone: since 2026 every Workers plan has the same 64 MiB size limit');
    let build;
    try {
      build = edgeBuildFromEnv();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const size = await checkBundle(build);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `Worker bundle (${size.build.inputSize} px model, ${size.build.precision} weights, engine ${size.build.engine}), wrangler deploy --dry-run:`,
    );
    console.table(
      Object.fromEntries(
        [...size.modules, { name: 'total', rawBytes: size.rawBytes, gzipBytes: size.gzipBytes }].map((m) => [
          m.name,
          { raw: kib(m.rawBytes), gzip: kib(m.gzipBytes) },
        ]),
      ),
    );
    if (size.wranglerSummary) console.log(`wrangler: ${size.wranglerSummary}`);
    const former = (['free', 'paid'] as const)
      .map((p) => `${p} ${kib(FORMER_GZIP_LIMITS[p])}: ${size.gzipBytes <= FORMER_GZIP_LIMITS[p] ? 'fits' : 'over'}`)
      .join(', ');
    console.log(`note: the former gzip limits (before 2026): ${former}`);
    const limit = WORKER_SIZE_LIMIT.uncompressedBytes;
    const verdict = `${kib(size.rawBytes)} uncompressed against Workers' ${kib(limit)} limit (every plan)`;
    if (size.rawBytes > limit) {
      console.error(`edge:check FAILED: ${verdict}`);
      return 1;
    }
    console.log(`edge:check OK: ${verdict} (${kib(limit - size.rawBytes)} to spare)`);
    return 0;
  },
});
