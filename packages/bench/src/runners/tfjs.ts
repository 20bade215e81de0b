import { readFile } from 'node:fs/promises';
import { BackendUnavailableError, NinClassifier } from '@nin-bench/core-nin';
import { coreDependencyVersion } from '../results/machine.ts';
import type { CreateRunner } from './runner.ts';

/**
 * TensorFlow.js with one backend from the core's registry (`options.backend`: cpu, wasm:simd, wasm:plain,
 * webgpu, tensorflow:cpu, tensorflow:gpu), running the core's NinClassifier: the model the CLI and the edge run.
 */
export const createRunner: CreateRunner = (task) => {
  const spec = String(task.options.backend ?? 'cpu');
  return {
    async init() {
      const { createNodeBackendRegistry } = await import('@nin-bench/core-nin/node');
      const probe = await createNodeBackendRegistry().probe(spec);
      if (!probe.available) throw new BackendUnavailableError(spec, probe.reason);
      const { details } = probe.info;
      const version = String(details.version ?? coreDependencyVersion('@tensorflow/tfjs-core'));
      return { engine: 'tfjs', version, details: { backend: probe.info.tfjsBackend, ...details } };
    },
    async load() {
      const bytes = new Uint8Array(await readFile(task.weightsPath));
      const model = await NinClassifier.fromSafetensors(bytes, { inputSize: task.size });
      return { infer: (batch) => model.logits(batch.input, batch.n) };
    },
  };
};
