// `npm run edge:check`: bundles the Worker as `wrangler deploy` would (--dry-run, offline, no login), prints every
// module's size raw and gzipped, and fails when the gzipped total is over the plan's script-size limit.
// EDGE_WEIGHTS=int8|float16|float32 and EDGE_SIZE=96|224 pick the build; EDGE_PLAN=free (3 MiB, default) or paid (10 MiB).
import { SCRIPT_SIZE_LIMITS, checkBundle, type WorkersPlan } from '../src/node/bundle-size.ts';
import { edgeBuildFromEnv } from '../src/node/edge-weights.ts';
import { ScriptUsageError, parseScriptArgs, runScript } from './script-args.ts';

const NAME = 'edge:check';
const USAGE = `usage: [EDGE_SIZE=224|96] [EDGE_WEIGHTS=int8|float16|float32] [EDGE_PLAN=free|paid] npm run edge:check

Bundles the Worker as \`wrangler deploy\` would (--dry-run, offline, no login), prints every module's size raw
and gzipped, and exits 1 when the gzipped total is over the plan's script-size limit (free: 3 MiB, paid: 10 MiB).`;

parseScriptArgs(NAME, USAGE, {}); // --help, and nothing else: the build is chosen by the variables above
const { plan, size } = await runScript(NAME, USAGE, async () => {
  const plan = process.env.EDGE_PLAN || 'free';
  if (!Object.hasOwn(SCRIPT_SIZE_LIMITS, plan)) throw new ScriptUsageError(`EDGE_PLAN must be free or paid, got "${plan}"`);
  let build;
  try {
    build = edgeBuildFromEnv();
  } catch (e) {
    throw new ScriptUsageError((e as Error).message);
  }
  return { plan: plan as WorkersPlan, size: await checkBundle(build) };
});
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Worker bundle (${size.build.inputSize} px model, ${size.build.precision} weights), wrangler deploy --dry-run:`);
console.table(Object.fromEntries([...size.modules, { name: 'total', rawBytes: size.rawBytes, gzipBytes: size.gzipBytes }].map((m) => [m.name, { raw: kib(m.rawBytes), gzip: kib(m.gzipBytes) }])));
if (size.wranglerSummary) console.log(`wrangler: ${size.wranglerSummary}`);
const limit = SCRIPT_SIZE_LIMITS[plan];
const verdict = `${kib(size.gzipBytes)} gzipped against the ${plan} plan's ${kib(limit)} limit`;
if (size.gzipBytes > limit) {
  console.error(`edge:check FAILED: ${verdict}`);
  process.exit(1);
}
console.log(`edge:check OK: ${verdict} (${kib(limit - size.gzipBytes)} to spare)`);
