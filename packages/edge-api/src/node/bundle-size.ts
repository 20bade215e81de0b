import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EDGE_DIR, ensureEdgeWeights, type EdgeBuild } from './edge-weights.ts';
import { REPO_ROOT, WRANGLER_CONFIG, offlineWranglerEnv, wranglerBin, wranglerEnvArgs } from './wrangler.ts';

/**
 * Workers' limit on a Worker's size: 64 MiB uncompressed (script plus its wasm and data modules), the same on every
 * plan, as https://developers.cloudflare.com/workers/platform/limits/ gives it (read 2026-12-02; the change came in
 * 2026). Before, the limit was on the gzip-compressed upload: 3 MiB on the Free plan, 10 MiB on Paid
 * ({@link FORMER_GZIP_LIMITS}, still printed by `edge:check` for accounts or tools that apply them).
 */
export const WORKER_SIZE_LIMIT = {
  uncompressedBytes: 64 * 1024 * 1024,
  read: '2026-12-02',
  source: 'https://developers.cloudflare.com/workers/platform/limits/',
} as const;
export const FORMER_GZIP_LIMITS = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 } as const;
export type WorkersPlan = keyof typeof FORMER_GZIP_LIMITS;

export interface BundleModule {
  /** file name without wrangler's content-hash prefix */
  readonly name: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

export interface BundleSize {
  readonly build: EdgeBuild;
  readonly modules: readonly BundleModule[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** wrangler's own "Total Upload: ... / gzip: ..." line */
  readonly wranglerSummary: string | null;
  readonly outdir: string;
}

/** Where `edge:check` has wrangler write a build's bundle (packages/edge-api/.bundle/, git-ignored). */
export function bundleDir(build: EdgeBuild): string {
  return join(EDGE_DIR, '.bundle', `${build.inputSize}-${build.precision}-${build.engine}`);
}

/**
 * Bundles the Worker exactly as `wrangler deploy` would (`--dry-run --outdir`, offline, no login): the entry, its
 * wasm and data modules, a source map and wrangler's README.md land in `outdir`, emptied first. Returns wrangler's
 * output; throws with it when wrangler fails.
 */
export function dryRunBundle(build: EdgeBuild, outdir: string): string {
  rmSync(outdir, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [wranglerBin(), 'deploy', '--dry-run', '--config', WRANGLER_CONFIG, ...wranglerEnvArgs(build), '--outdir', outdir],
    {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv(),
      encoding: 'utf8',
    },
  );
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${run.status}):\n${output}`);
  return output;
}

/**
 * Bundles the Worker as `wrangler deploy` would ({@link dryRunBundle}) and measures every module raw and gzipped
 * (level 9, as wrangler compresses the upload).
 */
export function measureBundle(build: EdgeBuild): BundleSize {
  const outdir = bundleDir(build);
  const output = dryRunBundle(build, outdir);
  const modules = readdirSync(outdir)
    .filter((f) => !f.endsWith('.map') && f !== 'README.md')
    .map((f) => {
      const bytes = readFileSync(join(outdir, f));
      return {
        name: f.replace(/^[0-9a-f]{40}-/, ''),
        rawBytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      };
    });
  return {
    build,
    modules,
    rawBytes: modules.reduce((n, m) => n + m.rawBytes, 0),
    gzipBytes: modules.reduce((n, m) => n + m.gzipBytes, 0),
    wranglerSummary: /Total Upload: .*/.exec(output)?.[0] ?? null,
    outdir,
  };
}

/** Makes sure the weights exist, then measures. */
export async function checkBundle(build: EdgeBuild): Promise<BundleSize> {
  await ensureEdgeWeights(build);
  return measureBundle(build);
}
