// A build's Worker as `wrangler deploy` would upload it: the modules of its dry-run bundle, typed by wrangler's module
// rules, and what wrangler.toml gives it (vars, compatibility date and flags), read with wrangler's own config reader
// so that its environment rules hold (an `[env.X]` does not inherit the top level's vars).
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { globsToRegExps } from 'miniflare';
import { dryRunBundle } from './bundle-size.ts';
import type { EdgeBuild } from './edge-weights.ts';
import { WRANGLER_CONFIG } from './wrangler.ts';
import { WORKERD_MODULE_FIELDS, type WorkerModule, type WorkerModuleType } from './workerd.ts';

/** A bundle that plain workerd cannot be given: a file no module rule types, no entry where wrangler writes it. */
export class BundleModuleError extends Error {
  override readonly name = 'BundleModuleError';
}

/** One of wrangler's module rules, as miniflare takes them (`[[rules]]` of wrangler.toml, then wrangler's defaults). */
export interface ModuleRule {
  readonly type: string;
  readonly include: readonly string[];
}

export interface DeployedWorker {
  readonly build: EdgeBuild;
  /** where the bundle is (wrangler's `--outdir`) */
  readonly outdir: string;
  /** the entry first, then the wasm and data modules it imports */
  readonly modules: readonly WorkerModule[];
  /** the environment's `[vars]` (wrangler.toml only: `.dev.vars` is for wrangler dev, not a deployment) */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  /** names of the environment's `[[ratelimits]]` bindings: plain workerd has no rate limiter to give them */
  readonly rateLimiters: readonly string[];
}

/** Files wrangler writes beside the modules that are no part of the Worker. */
const NOT_MODULES = (file: string) => file === 'README.md' || file.endsWith('.map');

/**
 * The modules in a dry-run `outdir`: the entry (`entryFile`, an ES module) first, then every other file typed by the
 * first rule whose globs match its name (wrangler names them `<sha1>-<file>`; the globs are `**\/*.ext`).
 */
export function bundleModules(outdir: string, entryFile: string, rules: readonly ModuleRule[]): WorkerModule[] {
  const files = readdirSync(outdir).filter((f) => !NOT_MODULES(f));
  if (!files.includes(entryFile))
    throw new BundleModuleError(`no entry ${entryFile} in the bundle at ${outdir} (it holds ${files.join(', ')})`);
  const matchers = rules.map((r) => ({ type: r.type, globs: globsToRegExps([...r.include], { endAnchor: true }) }));
  const others = files
    .filter((f) => f !== entryFile)
    .sort()
    .map((name): WorkerModule => {
      const rule = matchers.find(
        (m) => m.globs.include.some((re) => re.test(name)) && !m.globs.exclude.some((re) => re.test(name)),
      );
      if (!rule) throw new BundleModuleError(`no module rule in wrangler.toml types ${name} (in ${outdir})`);
      if (!Object.hasOwn(WORKERD_MODULE_FIELDS, rule.type))
        throw new BundleModuleError(`${name} is a ${rule.type} module, which plain workerd is not given here`);
      return { name, type: rule.type as WorkerModuleType };
    });
  return [{ name: entryFile, type: 'ESModule' }, ...others];
}

/**
 * Runs `read` (which uses wrangler's API) and then takes away the SIGINT/SIGTERM handlers it left: importing wrangler
 * installs its CLI's, which exit the process at once, and a server that imported it (edge:serve) must get to stop
 * workerd and remove its bundle first.
 */
async function withoutWranglerSignalHandlers<T>(read: (api: typeof import('wrangler')) => T): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
  try {
    return read(await import('wrangler'));
  } finally {
    for (const sig of signals)
      for (const listener of process.listeners(sig)) if (!before.get(sig)!.has(listener)) process.off(sig, listener);
  }
}

/** What is read here of wrangler's resolved config (its type is @cloudflare/workers-utils', which wrangler does not ship). */
interface WranglerConfigFields {
  readonly main?: string;
  readonly vars: Record<string, unknown>;
  readonly compatibility_date?: string;
  readonly compatibility_flags: string[];
  readonly ratelimits: readonly { readonly name: string }[];
}

/** wrangler.toml's settings for a build's environment, read by wrangler (its warnings left to the dry run). */
export function readBuildConfig(build: EdgeBuild) {
  const env = build.wranglerEnv || undefined;
  return withoutWranglerSignalHandlers((wrangler) => {
    const resolved = wrangler.unstable_readConfig({ config: WRANGLER_CONFIG, env }, { hideWarnings: true });
    const config: WranglerConfigFields = resolved;
    // wrangler's rules as miniflare takes them: wrangler.toml's, then wrangler's defaults (**/*.wasm, **/*.bin, ...)
    const rules: ModuleRule[] =
      wrangler.unstable_getMiniflareWorkerOptions(resolved, env).workerOptions.modulesRules ?? [];
    if (!config.compatibility_date) throw new BundleModuleError(`${WRANGLER_CONFIG} sets no compatibility_date`);
    return {
      main: config.main,
      rules,
      vars: config.vars,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      rateLimiters: config.ratelimits.map((r) => r.name),
    };
  });
}

/** Bundles a build as `wrangler deploy --dry-run` does into `outdir` and reads what workerd needs to serve it. */
export async function deployedWorker(build: EdgeBuild, outdir: string): Promise<DeployedWorker> {
  const config = await readBuildConfig(build);
  if (!config.main) throw new BundleModuleError(`${WRANGLER_CONFIG} sets no main for the build's environment`);
  dryRunBundle(build, outdir);
  // wrangler writes the entry as the main file's name with a .js extension
  const entryFile = basename(config.main).replace(/\.[^.]*$/, '') + '.js';
  return {
    build,
    outdir,
    modules: bundleModules(outdir, entryFile, config.rules),
    vars: config.vars,
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    rateLimiters: config.rateLimiters,
  };
}
