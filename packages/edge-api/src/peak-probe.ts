import { measureWasmPeak, type WasmPeak, type WasmPeakModules } from '@nin-bench/core-nin/probe/wasm-peak';
import { RequestError } from './errors.ts';

/** The Worker's switch for GET /probe: `PEAK_PROBE = "on"` (the bench's wrangler dev: EDGE_PEAK_PROBE=on). */
export interface PeakProbeEnv {
  readonly PEAK_PROBE?: string;
}

/** GET /probe's answer: the WebAssembly peak probe run inside this Worker, one thread. */
export interface PeakProbeBody extends WasmPeak {
  /** `navigator.userAgent` where the probe ran (`Cloudflare-Workers` in workerd) */
  readonly runtime: string;
}

/** A Worker's clock moves only at I/O (a Spectre mitigation): a zero timer before each reading moves it. */
const timerTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * GET /probe: the WebAssembly peak probe (core-nin's probe/wasm-peak) in this isolate, about 2 s of CPU. Off unless
 * the env says `PEAK_PROBE = "on"`: a public endpoint must not burn CPU on request, so otherwise it is the same 404
 * as any unknown route. `modules`: the probe's modules as the Worker entry got them (wrangler compiles them).
 */
export async function runPeakProbe(
  env: PeakProbeEnv | undefined,
  modules: WasmPeakModules | undefined,
): Promise<PeakProbeBody> {
  if (env?.PEAK_PROBE !== 'on' || !modules) throw new RequestError(404, 'not_found', 'no route GET /probe; see GET /');
  const peak = await measureWasmPeak(modules, { beforeClock: timerTick });
  return { runtime: typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent, ...peak };
}
