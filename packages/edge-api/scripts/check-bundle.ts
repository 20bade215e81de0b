// `npm run edge:check`: bundles the Worker as `wrangler deploy` would (--dry-run, offline, no login), prints every
// module's size raw and gzipped, and fails when the gzipped total is over the plan's script-size limit.
// EDGE_WEIGHTS=int8|float16|float32 picks the weights; EDGE_PLAN=free (3 MiB, default) or paid (10 MiB).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EDGE_DIR, ensureEdgeWeights } from '../src/node/edge-weights.ts';
import { REPO_ROOT, WRANGLER_CONFIG, edgePrecision, offlineWranglerEnv, wranglerBin, wranglerEnvArgs } from '../src/node/wrangler.ts';

/** Workers' limit on the compressed (gzip) size of a Worker script and its modules. */
export const SCRIPT_SIZE_LIMITS = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 } as const;

const plan = (process.env.EDGE_PLAN ?? 'free') as keyof typeof SCRIPT_SIZE_LIMITS;
if (!(plan in SCRIPT_SIZE_LIMITS)) {
  console.error(`EDGE_PLAN must be free or paid, got "${plan}"`);
  process.exit(2);
}
const precision = edgePrecision();
await ensureEdgeWeights(precision);
const outdir = join(EDGE_DIR, '.bundle', precision);
rmSync(outdir, { recursive: true, force: true });
const run = spawnSync(process.execPath, [wranglerBin(), 'deploy', '--dry-run', '--config', WRANGLER_CONFIG, ...wranglerEnvArgs(precision), '--outdir', outdir], {
  cwd: REPO_ROOT,
  env: offlineWranglerEnv(),
  encoding: 'utf8',
});
if (run.status !== 0) {
  console.error(run.stdout + run.stderr);
  console.error(`edge:check: wrangler deploy --dry-run failed (exit ${run.status})`);
  process.exit(1);
}
const wranglerTotal = /Total Upload: .*/.exec(run.stdout + run.stderr)?.[0];

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const rows = readdirSync(outdir)
  .filter((f) => !f.endsWith('.map') && f !== 'README.md')
  .map((f) => {
    const bytes = readFileSync(join(outdir, f));
    return { module: f.replace(/^[0-9a-f]{40}-/, ''), raw: statSync(join(outdir, f)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  });
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
const limit = SCRIPT_SIZE_LIMITS[plan];
console.log(`Worker bundle (weights ${precision}), wrangler deploy --dry-run:`);
console.table(Object.fromEntries([...rows, { module: 'total', ...total }].map((r) => [r.module, { raw: kib(r.raw), gzip: kib(r.gzip) }])));
if (wranglerTotal) console.log(`wrangler: ${wranglerTotal}`);
const verdict = `${kib(total.gzip)} gzipped against the ${plan} plan's ${kib(limit)} limit`;
if (total.gzip > limit) {
  console.error(`edge:check FAILED: ${verdict}`);
  process.exit(1);
}
console.log(`edge:check OK: ${verdict} (${kib(limit - total.gzip)} to spare)`);
