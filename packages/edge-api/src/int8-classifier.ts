// An EdgeClassifier from an int8 model file's runtime (onnxruntime-web, LiteRT.js): what both engines build around
// their forward pass. The `/model` description from the file's facts, a forward pass that takes at most a few images
// at a time, one warm-up pass, and classify with the core's preprocessing. Each engine file keeps only its runtime.
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
// The tfjs-free subpaths: `@nin-bench/core-nin/model` also exports the tfjs forward pass, and importing it puts
// tfjs-core's side-effect modules (about 100 KiB) into the bundle even though nothing here calls them.
import { NUM_CLASSES, layerShapes, multiplyAdds, parameterCount } from '@nin-bench/core-nin/model/architecture';
import { sha256Hex } from '@nin-bench/core-nin/weights';
import type { EdgeBackendInfo, EdgeClassifier, EdgeModelInfo } from './classifier.ts';
import type { EdgeEngineInfo } from './engine.ts';
import { classifyEach, type Forward } from './classify-each.ts';
import type { ExportedModelFacts } from './exported-model-facts.ts';

/** `/model`'s description of an int8 NiN model file of `inputSize` px. */
export async function int8ModelInfo(
  file: Uint8Array,
  inputSize: number,
  facts: ExportedModelFacts,
): Promise<EdgeModelInfo> {
  return {
    architecture: {
      name: 'Network in Network (NiN)',
      source: "d2l.ai's PyTorch NiN, 4 NiN blocks + global average pool",
      layers: layerShapes(inputSize),
    },
    parameterCount: facts.manifest?.parameterCount ?? parameterCount(),
    multiplyAdds: multiplyAdds(inputSize),
    inputSize,
    weightPrecision: 'int8',
    testAccuracy: facts.testAccuracy,
    classes: FASHION_MNIST_CLASSES,
    sha256: await sha256Hex(file),
    manifest: facts.manifest,
  };
}

/**
 * `pass` run on at most `forwardBatch` images at a time (default: all at once), the logits gathered: what bounds a
 * request's memory (see EDGE_LIMITS.forwardBatch) whatever batch the runtime takes.
 */
export function forwardInBatches(pass: Forward, inputSize: number, forwardBatch: number | undefined): Forward {
  const side = inputSize * inputSize;
  return async (input, count) => {
    const step = Math.max(1, forwardBatch ?? count);
    const logits = new Float32Array(count * NUM_CLASSES);
    for (let start = 0; start < count; start += step) {
      const m = Math.min(step, count - start);
      logits.set(await pass(input.subarray(start * side, (start + m) * side), m), start * NUM_CLASSES);
    }
    return logits;
  };
}

/** What an engine brings: its model file and what it says, its runtime's forward pass, and how it names itself. */
export interface Int8ClassifierParts {
  /** the bundled model file, as `/model`'s sha256 describes it */
  readonly file: Uint8Array;
  readonly inputSize: number;
  readonly facts: ExportedModelFacts;
  /** the runtime's forward pass over as many images as forwardBatch allows */
  readonly pass: Forward;
  /** images per forward pass (default: the whole request); see EDGE_LIMITS.forwardBatch */
  readonly forwardBatch?: number;
  readonly now?: () => number;
  readonly engine: EdgeEngineInfo;
  readonly backend: EdgeBackendInfo;
  /** bytes of the runtime's WebAssembly memory */
  readonly wasmHeapBytes: () => number | null;
}

/**
 * Runs one pass now, so that the first request does not pay for the runtime's kernel set-up and a broken runtime
 * fails here, and gives the classifier the app serves.
 */
export async function int8EdgeClassifier(parts: Int8ClassifierParts): Promise<EdgeClassifier> {
  const forward = forwardInBatches(parts.pass, parts.inputSize, parts.forwardBatch);
  await forward(new Float32Array(parts.inputSize * parts.inputSize), 1);
  return {
    engine: parts.engine,
    model: await int8ModelInfo(parts.file, parts.inputSize, parts.facts),
    backend: parts.backend,
    classify: classifyEach(forward, parts.inputSize, parts.now),
    wasmHeapBytes: parts.wasmHeapBytes,
  };
}
