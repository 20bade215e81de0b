import { createNodeBackendRegistry } from '../backends.ts';
import { BackendUnavailableError, formatBackend, type BackendInfo, type BackendSpec } from '../../backends/registry.ts';
import { registerWasmTrainingKernels } from '../../backends/wasm-training-kernels.ts';
import { registerTfjsCoreResolveHook } from './tfjs-core-resolve.ts';
import { probeWebgpuAdapterQuietly } from '../webgpu-probe.ts';

/**
 * `auto`'s order, fastest first as measured for a NiN training step (see results/training/README): libtensorflow
 * when tfjs-node is installed, a hardware WebGPU adapter, wasm with SIMD (and our training kernels), plain wasm,
 * then the JavaScript cpu backend. A software WebGPU adapter (lavapipe) is skipped: it trains far slower than wasm.
 */
export const AUTO_ORDER: readonly BackendSpec[] = [
  { name: 'tensorflow' },
  { name: 'webgpu' },
  { name: 'wasm', variant: 'simd' },
  { name: 'wasm', variant: 'plain' },
  { name: 'cpu' },
];

/** Registers the gradient functions (training only: the inference path never loads them). */
export async function loadGradients(): Promise<void> {
  registerTfjsCoreResolveHook();
  await import('../../training/gradients.ts');
}

/** Activates the backend to train on (`auto` or a spec) with gradients and, on wasm, the missing kernels. */
export async function activateTrainingBackend(
  spec: string,
  log: (line: string) => void = () => {},
): Promise<BackendInfo> {
  await loadGradients();
  const registry = createNodeBackendRegistry();
  let info: BackendInfo | undefined;
  if (spec === 'auto') {
    const skipped: string[] = [];
    for (const candidate of AUTO_ORDER) {
      if (candidate.name === 'webgpu') {
        // Asked out of process first: Dawn's start-up warnings reach stderr only if WebGPU is the one picked.
        const quiet = await probeWebgpuAdapterQuietly();
        if (quiet && !quiet.found) {
          skipped.push(`${formatBackend(candidate)} (${quiet.reason})`);
          continue;
        }
        if (quiet?.found && quiet.software) {
          skipped.push(`${formatBackend(candidate)} (software adapter: ${quiet.adapter})`);
          continue;
        }
      }
      const probe = await registry.probe(candidate);
      if (!probe.available) {
        skipped.push(`${formatBackend(candidate)} (${probe.reason})`);
        continue;
      }
      if (probe.info.details.software === true) {
        skipped.push(`${formatBackend(candidate)} (software adapter: ${probe.info.details.adapter})`);
        continue;
      }
      info = probe.info;
      break;
    }
    if (!info) throw new BackendUnavailableError('auto', `no backend could be activated: ${skipped.join('; ')}`);
    log(`backend auto: picked ${formatBackend(info)}${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}`);
  } else {
    info = await registry.activate(spec);
  }
  if (info.name === 'wasm') registerWasmTrainingKernels();
  return info;
}
