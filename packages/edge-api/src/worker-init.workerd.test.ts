// Initialisation inside workerd, the tfjs build: once per isolate, lazily, shared by concurrent first requests.
import { BackendRegistry, NinClassifier } from '@nin-bench/core-nin';
import { describe, vi } from 'vitest';
import { freshWorkerTests } from '../test/fresh-worker-tests.ts';
import { bundled } from './worker.ts';
import { createEdgeWorker } from './worker-entry.ts';

describe('a fresh Worker instance', () => {
  freshWorkerTests({
    create: () => createEdgeWorker(bundled),
    env: { WEIGHT_PRECISION: 'int8' },
    spyOnLoad: () => [vi.spyOn(BackendRegistry.prototype, 'activate'), vi.spyOn(NinClassifier, 'fromSafetensors')],
    refusals: [[{ WEIGHT_PRECISION: 'float16' }, /float16.*int8/]],
  });
});
