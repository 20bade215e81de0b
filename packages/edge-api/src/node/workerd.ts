// Plain workerd, with no wrangler or miniflare around it: the binary wrangler runs, and the capnp config that serves
// a bundled Worker with it (`npm run edge:serve`, the workerd baseline).
import { createRequire } from 'node:module';

/** The workerd binary wrangler itself runs (its dependency `workerd`: the package's default export is the path). */
export function workerdBinary(): string {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'));
  return (fromWrangler('workerd') as { default: string }).default;
}

/**
 * wrangler's module types (`[[rules]] type`, miniflare's `modulesRules`) and the field of workerd's
 * `Worker.Module` each becomes (as miniflare writes them: CompiledWasm a `wasm` module, Data a `data` one).
 */
export const WORKERD_MODULE_FIELDS = {
  ESModule: 'esModule',
  CommonJS: 'commonJsModule',
  Text: 'text',
  Data: 'data',
  CompiledWasm: 'wasm',
} as const;
export type WorkerModuleType = keyof typeof WORKERD_MODULE_FIELDS;

export interface WorkerModule {
  /** the module's name, as the entry imports it (`./<name>`), and its file beside the config */
  readonly name: string;
  readonly type: WorkerModuleType;
}

export interface WorkerdServeConfig {
  /** the entry first (an ES module) */
  readonly modules: readonly WorkerModule[];
  /** wrangler.toml's `[vars]`: strings become text bindings, anything else a JSON binding */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly compatibilityDate: string;
  readonly compatibilityFlags?: readonly string[];
  /** `host:port` for the HTTP socket (see socketAddress) */
  readonly address: string;
}

/** A capnp text literal: capnp takes C escapes (`\"`, `\\`, `\xNN`), not JSON's `\uNNNN`; UTF-8 passes as is. */
export function capnpText(value: string): string {
  const escaped = value
    .replace(/[\\"]/g, '\\$&')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/** workerd's socket address for an IP and port: IPv6 in brackets, `*` (every interface) as it is. */
export function socketAddress(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/**
 * The workerd config (capnp text) that serves one Worker on one HTTP socket: its modules embedded from the files
 * beside the config, its vars as bindings, its compatibility date and flags. Nothing else: no proxy in front, no
 * other binding (a rate limiter, KV) and no outbound service but workerd's default (the internet).
 */
export function workerdConfig(config: WorkerdServeConfig): string {
  const [entry] = config.modules;
  if (entry?.type !== 'ESModule')
    throw new TypeError(`workerdConfig: the first module must be the ES module entry, got ${entry?.type ?? 'none'}`);
  const modules = config.modules.map(
    (m) => `    (name = ${capnpText(m.name)}, ${WORKERD_MODULE_FIELDS[m.type]} = embed ${capnpText(m.name)}),`,
  );
  const bindings = Object.entries(config.vars).map(([name, value]) =>
    typeof value === 'string'
      ? `    (name = ${capnpText(name)}, text = ${capnpText(value)}),`
      : `    (name = ${capnpText(name)}, json = ${capnpText(JSON.stringify(value))}),`,
  );
  const flags = (config.compatibilityFlags ?? []).map(capnpText).join(', ');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = ${capnpText(config.address)}, http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
${modules.join('\n')}
  ],
  bindings = [
${bindings.join('\n')}
  ],
  compatibilityDate = ${capnpText(config.compatibilityDate)},
  compatibilityFlags = [${flags}],
);
`;
}
