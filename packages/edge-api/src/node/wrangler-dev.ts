import { freePort, spawnProcessGroup, type ProcessGroup } from '@nin-bench/node-tools/process-group';
import { DEFAULT_EDGE_BUILD, ensureEdgeWeights, type EdgeBuild } from './edge-weights.ts';
import {
  REPO_ROOT,
  WRANGLER_CONFIG,
  offlineWranglerEnv,
  peakProbeArgs,
  rateLimitArgs,
  wranglerBin,
  wranglerEnvArgs,
} from './wrangler.ts';

export interface WranglerDevOptions {
  /** which Workers build (default: DEFAULT_EDGE_BUILD) */
  readonly build?: EdgeBuild;
  /** default: a free port */
  readonly port?: number;
  /** how long to wait for `/health` to answer 200 (default 120 s: the first request loads the model) */
  readonly readyTimeoutMs?: number;
  /**
   * What must answer 200 before the server counts as ready: `/health` (default) loads the model; `/` does not,
   * for callers that measure the model's load themselves.
   */
  readonly readyPath?: '/health' | '/';
  /** the per-client rate limiter of POST /predict: on (default, as deployed) or off (tests that send many requests) */
  readonly rateLimit?: 'on' | 'off';
}

export interface WranglerDev {
  readonly url: string;
  /** the wrangler process; it leads its own process group (workerd and the rest run inside it) */
  readonly pid: number;
  /** what the ready path (/health by default) answered */
  readonly health: Record<string, unknown>;
  /** output so far (stdout and stderr) */
  log(): string;
  /** Stops wrangler and everything it started (the whole process group); resolves once wrangler has exited. */
  stop(): Promise<void>;
}

/** The Worker's switches on a wrangler dev command line: the rate limiter (on as deployed), GET /probe (off). */
export interface WranglerDevSwitches {
  readonly rateLimit: 'on' | 'off';
  readonly peakProbe?: 'on' | 'off';
}

/**
 * `wrangler dev`'s command line (node, wrangler and its arguments) serving `build` on `port`, offline-ready with
 * wrangler.toml's environment for the build and the Worker's switches: what edge:dev and startWranglerDev add their
 * own options to. Every switch goes through here (edge:dev once read EDGE_PEAK_PROBE and never passed it on).
 */
export function wranglerDevCommand(build: EdgeBuild, switches: WranglerDevSwitches, port: number | string): string[] {
  return [
    process.execPath,
    wranglerBin(),
    'dev',
    '--config',
    WRANGLER_CONFIG,
    ...wranglerEnvArgs(build),
    ...rateLimitArgs(switches.rateLimit),
    ...peakProbeArgs(switches.peakProbe ?? 'off'),
    '--port',
    String(port),
  ];
}

/**
 * Starts the real `wrangler dev` (offline, on 127.0.0.1) in its own process group and waits until `/health`
 * says the model is loaded. Always pair with `stop()` (in afterAll / finally).
 */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
  const build = options.build ?? DEFAULT_EDGE_BUILD;
  await ensureEdgeWeights(build);
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const wrangler = [
    ...wranglerDevCommand(build, { rateLimit: options.rateLimit ?? 'on' }, port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
  ];
  // Its own process group, with a watchdog: should this process die without calling stop() (a killed test run),
  // the group ends anyway, so nothing is left behind.
  const group = spawnProcessGroup(wrangler, { cwd: REPO_ROOT, env: offlineWranglerEnv() });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => group.stop();
  try {
    const health = await waitForReady(
      `${url}${options.readyPath ?? '/health'}`,
      group,
      options.readyTimeoutMs ?? 120_000,
    );
    return { url, pid: group.pid, health, log: group.output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForReady(
  readyUrl: string,
  group: ProcessGroup,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const { child, output: log } = group;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log().slice(-3000)}`,
      );
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(60_000) });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
      if (res.status === 503) throw new Error(`the worker failed to load the model: ${last}`);
    } catch (e) {
      if ((e as Error).message.startsWith('the worker failed')) throw e;
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not ready after ${timeoutMs} ms (${last}):\n${log().slice(-3000)}`);
}
