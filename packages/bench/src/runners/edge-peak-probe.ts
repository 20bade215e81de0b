import type { WasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';
import { wasmPeakDetails } from '../results/wasm-peak-facts.ts';

/** The probe takes a few seconds of the Worker's CPU; on a busy machine it may take longer. */
const PROBE_TIMEOUT_MS = 120_000;

/**
 * The WebAssembly peak probe as the edge Worker runs it (GET /probe; on only when wrangler dev has PEAK_PROBE=on),
 * as facts details: the row's `% of peak` is read against it. A 404 (probe off, an older build) gives no details;
 * any other failure says why in `wasmPeakError` and leaves the row as it is.
 */
export async function workerPeakProbe(base: string): Promise<Record<string, string | number>> {
  try {
    const res = await fetch(`${base}/probe`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (res.status === 404) {
      await res.arrayBuffer();
      return {};
    }
    const body = (await res.json()) as Partial<WasmPeak> & { runtime?: string; error?: { message?: string } };
    if (res.status !== 200 || typeof body.float32Gflops !== 'number' || !body.kernels)
      return { wasmPeakError: `GET /probe answered ${res.status}: ${body.error?.message ?? 'no probe figures'}` };
    return {
      ...wasmPeakDetails(body as WasmPeak),
      wasmPeakRuntime: `the Worker (${body.runtime ?? 'unknown'}, workerd under wrangler dev)`,
    };
  } catch (e) {
    return { wasmPeakError: `GET /probe: ${(e as Error).message.split('\n', 1)[0]}` };
  }
}
