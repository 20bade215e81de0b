import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EDGE_DIR, type EdgeBuild } from './edge-weights.ts';

const require = createRequire(import.meta.url);

export const REPO_ROOT = join(EDGE_DIR, '..', '..');
export const WRANGLER_CONFIG = join(REPO_ROOT, 'wrangler.toml');

/** wrangler's CLI script, run with this Node (no npx: nothing is looked up or downloaded). */
export function wranglerBin(): string {
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

/**
 * The environment wrangler runs in here: no account, no telemetry, no update check and no `Request.cf` download,
 * so `wrangler dev` and `wrangler deploy --dry-run` work offline and without a login.
 */
export function offlineWranglerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of [
    'CLOUDFLARE_API_TOKEN',
    'CLOUDFLARE_API_KEY',
    'CLOUDFLARE_ACCOUNT_ID',
    'CLOUDFLARE_EMAIL',
    'CLOUDFLARE_ENV',
  ])
    delete env[key];
  return {
    ...env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    // the banner is where wrangler checks the registry for a newer version
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  };
}

/** The wrangler.toml environment of a build: `--env=` (the top level) for the default, `--env=<name>` otherwise. */
export function wranglerEnvArgs(build: EdgeBuild): string[] {
  return [`--env=${build.wranglerEnv}`];
}

/** wrangler dev's arguments for the rate limiter: none when on (as deployed), `--var RATE_LIMIT:off` when off. */
export function rateLimitArgs(rateLimit: 'on' | 'off'): string[] {
  return rateLimit === 'off' ? ['--var', 'RATE_LIMIT:off'] : [];
}

/** wrangler dev's arguments for GET /probe, the WebAssembly peak probe: `--var PEAK_PROBE:on` when on (off as deployed). */
export function peakProbeArgs(peakProbe: 'on' | 'off'): string[] {
  return peakProbe === 'on' ? ['--var', 'PEAK_PROBE:on'] : [];
}
