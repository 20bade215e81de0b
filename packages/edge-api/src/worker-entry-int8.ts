// What the Worker entries of the int8 model-file engines (onnxruntime-int8, litert-int8) share: both serve only the
// int8 model, take INPUT_SIZE from the environment and bound a forward pass by EDGE_LIMITS.forwardBatch.
import type { EdgeClassifier } from './classifier.ts';
import type { EdgeEngineName } from './engine.ts';
import { EDGE_LIMITS } from './limits.ts';
import { WORKER_DECODER_WASM } from './worker-decoders.ts';
import { WORKER_PEAK_PROBE_WASM } from './worker-peak-probe.ts';
import { createWorkerHandler, type EdgeWorker } from './worker-handler.ts';

/** What an int8 engine's loader is given from the Worker's environment and limits. */
export interface Int8WorkerSettings {
  /** INPUT_SIZE, when the environment sets it: the bundled model's input size must match */
  readonly expectedInputSize: number | undefined;
  /** EDGE_LIMITS.forwardBatch */
  readonly forwardBatch: number;
}

/** An int8 engine's Workers handler: refuses a WEIGHT_PRECISION other than int8, then loads with `load`. */
export function createInt8EdgeWorker(
  engine: EdgeEngineName,
  load: (settings: Int8WorkerSettings) => Promise<EdgeClassifier>,
): EdgeWorker {
  return createWorkerHandler(
    engine,
    (env) => {
      if (env.WEIGHT_PRECISION !== undefined && env.WEIGHT_PRECISION !== 'int8')
        throw new Error(`WEIGHT_PRECISION is ${env.WEIGHT_PRECISION} but the ${engine} engine serves the int8 model`);
      const expectedInputSize = env.INPUT_SIZE === undefined ? undefined : Number(env.INPUT_SIZE);
      return load({ expectedInputSize, forwardBatch: EDGE_LIMITS.forwardBatch });
    },
    WORKER_DECODER_WASM,
    WORKER_PEAK_PROBE_WASM,
  );
}
