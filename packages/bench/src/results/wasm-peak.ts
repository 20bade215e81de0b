import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileWasmPeakModules, measureWasmPeak } from '@nin-bench/core-nin/probe/wasm-peak';
import type { WasmPeakRecord } from './schema.ts';

/** The probe's two modules on disk (core-nin's `./probe/*.wasm` exports); resolved when asked (a bundle may lack them). */
export function wasmPeakFiles(): { readonly simd: string; readonly relaxed: string } {
  return {
    simd: fileURLToPath(import.meta.resolve('@nin-bench/core-nin/probe/wasm-peak.wasm')),
    relaxed: fileURLToPath(import.meta.resolve('@nin-bench/core-nin/probe/wasm-peak-relaxed.wasm')),
  };
}

/** The probe in this Node process, one thread: what the Node wasm rows are read against. */
export async function measureNodeWasmPeak(): Promise<WasmPeakRecord> {
  const files = wasmPeakFiles();
  const modules = await compileWasmPeakModules(await readFile(files.simd), await readFile(files.relaxed));
  const peak = await measureWasmPeak(modules);
  return { runtime: `Node ${process.version} (V8 ${process.versions.v8})`, ...peak };
}

