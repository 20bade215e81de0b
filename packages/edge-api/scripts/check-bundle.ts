// `npm run edge:check`: bundles the Worker as `wrangler deploy` would (--dry-run, offline, no login) and fails when
// a bundle is over Workers' size limit (64 MiB uncompressed on every plan since 2026; the former gzip limits, Free
// 3 MiB and Paid 10 MiB, are printed beside it). With no variable it checks every build, one line each, with the
// Worker CPU per request the committed bench run measured for it against the plans' limits; EDGE_SIZE, EDGE_WEIGHTS
// and EDGE_ENGINE pick one build, shown module by module.
import { FORMER_GZIP_LIMITS, WORKER_SIZE_LIMIT, checkBundle, type BundleSize } from '../src/node/bundle-size.ts';
import { DEFAULT_EDGE_BUILD, EDGE_BUILDS, describeEdgeBuild } from '../src/node/edge-weights.ts';
import { BENCH_RESULTS, measuredKey, measuredWorkerCpu } from '../src/node/measured-cpu.ts';
import { UsageError } from '@nin-bench/core-nin/node/cli-args';
import { EDGE_BUILD_VARIABLES, edgeBuildFromScriptEnv, runSetupScript } from './setup-script.ts';

const USAGE = `usage: ${EDGE_BUILD_VARIABLES} npm run edge:check

Bundles the Worker as \`wrangler deploy\` would (--dry-run, offline, no login) and exits 1 when a bundle is over
Workers' size limit: 64 MiB uncompressed on every plan (${WORKER_SIZE_LIMIT.source}, read ${WORKER_SIZE_LIMIT.read}).
The former limits on the gzipped upload (Free 3 MiB, Paid 10 MiB) are printed as a note.

With no variable: every build, one line each, with the Worker CPU per request that the committed bench run
(results/bench/results.json) measured for it, against the Workers plans' CPU limits. With a variable: that build,
module by module.`;

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const fits = (size: BundleSize) => size.rawBytes <= WORKER_SIZE_LIMIT.uncompressedBytes;

// --help, and nothing else: the build is chosen by the variables above
await runSetupScript({
  name: 'edge:check',
  helpCommand: 'npm run edge:check -- --help',
  usage: USAGE,
  async run() {
    if (process.env.EDGE_PLAN !== undefined)
      throw new UsageError('EDGE_PLAN is gone: since 2026 every Workers plan has the same 64 MiB size limit');
    const chosen = ['EDGE_SIZE', 'EDGE_WEIGHTS', 'EDGE_ENGINE'].some((v) => process.env[v]);
    if (!chosen) return checkEveryBuild();
    const build = edgeBuildFromScriptEnv();
    const size = await checkBundle(build);
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
    const cpu = measuredWorkerCpu().get(measuredKey(build));
    console.log(
      cpu
        ? `Worker CPU per request: ${cpu.ms} ms (bench row ${cpu.row}, ${cpu.measuredAt}): ${cpu.verdict}`
        : `Worker CPU per request: not measured (no edge row for this build in ${BENCH_RESULTS})`,
    );
    if (size.rawBytes > limit) {
      console.error(`edge:check FAILED: ${verdict}`);
      return 1;
    }
    console.log(`edge:check OK: ${verdict} (${kib(limit - size.rawBytes)} to spare)`);
    return 0;
  },
});

/** Every build: bundle size against the limits, and the committed run's Worker CPU per request against the plans. */
async function checkEveryBuild(): Promise<number> {
  const measured = measuredWorkerCpu();
  const rows: Record<string, Record<string, string>> = {};
  let over = 0;
  for (const build of EDGE_BUILDS) {
    const size = await checkBundle(build);
    if (!fits(size)) over++;
    const cpu = measured.get(measuredKey(build));
    rows[describeEdgeBuild(build) + (build === DEFAULT_EDGE_BUILD ? ' (default)' : '')] = {
      'wrangler env': build.wranglerEnv || '(top level)',
      raw: `${mib(size.rawBytes)}${fits(size) ? '' : ' OVER'}`,
      gzip: mib(size.gzipBytes),
      'former 3 MiB gzip': size.gzipBytes <= FORMER_GZIP_LIMITS.free ? 'fits' : 'over',
      'Worker CPU': cpu ? `${cpu.ms} ms` : 'not measured',
      plan: cpu ? cpu.verdict.split(/[:;]/)[0]! : '-',
    };
  }
  console.log(
    `Every Workers build, bundled as wrangler deploy --dry-run would, against the ${mib(WORKER_SIZE_LIMIT.uncompressedBytes)} limit (every plan):`,
  );
  console.table(rows);
  const dates = [...new Set([...measured.values()].map((m) => m.measuredAt))];
  console.log(
    dates.length
      ? `Worker CPU per request: the committed bench run of ${dates.join(', ')} (${BENCH_RESULTS}); ` +
          '"not measured": no edge row ran for that build (float16 and float32 have none; 96 px runs with --size 96).'
      : `Worker CPU per request: no bench run at ${BENCH_RESULTS} (npm run bench -- --backends edge).`,
  );
  if (over) {
    console.error(`edge:check FAILED: ${over} build(s) over the ${mib(WORKER_SIZE_LIMIT.uncompressedBytes)} limit`);
    return 1;
  }
  console.log(`edge:check OK: all ${EDGE_BUILDS.length} builds within the limit`);
  return 0;
}
