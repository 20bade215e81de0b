import { warmTranspileCache } from '../child/spawn.ts';
import type { CatalogEntry } from '../plan/catalog.ts';
import type { Progress } from '../progress.ts';
import { measureNodeWasmPeak } from '../results/wasm-peak.ts';
import type { WasmPeakRecord } from '../results/schema.ts';

/**
 * What runs once before any row: the TypeScript transpile cache is warmed (so that the first row's cold start
 * does not pay for it), and when the plan has a WebAssembly row, the peak probe (Node, one thread) measures how far
 * the wasm rows are from this machine's WebAssembly limit. A failed probe is noted, not fatal.
 */
export async function warmUp(
  entries: readonly CatalogEntry[],
  progress: Progress,
): Promise<WasmPeakRecord | undefined> {
  progress.update(0, 'preparing', 'warming the TypeScript transpile cache');
  await warmTranspileCache();
  if (!entries.some((e) => !e.unavailable && e.wasmArithmetic)) return undefined;
  progress.update(0, 'preparing', 'the WebAssembly peak probe (Node, one thread)');
  try {
    const peak = await measureNodeWasmPeak();
    const float32 = `float32 ${peak.float32Gflops.toPrecision(3)} GFLOP/s (${peak.float32Kernel})`;
    const int8 = `int8 ${peak.int8Gops.toPrecision(3)} GOP/s (${peak.int8Kernel})`;
    progress.note(`  WebAssembly peak (${peak.runtime}, one thread): ${float32}, ${int8}`);
    return peak;
  } catch (e) {
    progress.note(`  WebAssembly peak probe failed: ${(e as Error).message.split('\n', 1)[0]}`);
    return undefined;
  }
}
