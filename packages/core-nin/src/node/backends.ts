import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendRegistry } from '../backends/registry.ts';
import { cpuBackend } from '../backends/cpu.ts';
import { createWasmBackend } from '../backends/wasm.ts';
import { webgpuBackend } from './webgpu.ts';
import { tensorflowBackend } from './tensorflow.ts';

const require = createRequire(import.meta.url);

/** Reads tfjs-backend-wasm's binaries from the installed package. */
export async function readTfjsWasmBinary(file: string): Promise<Uint8Array> {
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return new Uint8Array(await readFile(join(dist, 'dist', file)));
}

/** Every backend Node can offer: cpu, wasm (SIMD, plain), webgpu (Dawn), tensorflow (tfjs-node[-gpu]). */
export function createNodeBackendRegistry(): BackendRegistry {
  return new BackendRegistry([
    cpuBackend,
    createWasmBackend({ kind: 'bytes', read: readTfjsWasmBinary }),
    webgpuBackend,
    tensorflowBackend,
  ]);
}
