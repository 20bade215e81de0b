// What the engines that run an exported int8 model file share (onnxruntime-web on the ONNX model, LiteRT.js on the
// `.tflite` one): the model's facts from its metadata, the `/model` description built from them, and classifying with
// a forward pass that takes at most a few images at a time. Each engine file keeps only its runtime.
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, preprocessImages } from '@nin-bench/core-nin/data';
// The tfjs-free subpaths: `@nin-bench/core-nin/model` also exports the tfjs forward pass, and importing it puts
// tfjs-core's side-effect modules (about 100 KiB) into the bundle even though nothing here calls them.
import { NUM_CLASSES, layerShapes, multiplyAdds, parameterCount } from '@nin-bench/core-nin/model/architecture';
import { predictionFromLogits } from '@nin-bench/core-nin/model/prediction';
import { MANIFEST_KEY, parseManifest, sha256Hex, type NinManifest } from '@nin-bench/core-nin/weights';
import type { EdgeClassifier, EdgeModelInfo } from './classifier.ts';

/** How an exported model file is named in errors and where its metadata keeps the recorded accuracy. */
export interface ExportedModelFormat {
  /** 'ONNX', '.tflite': errors say "the bundled <name> model" */
  readonly name: string;
  /** the command that writes the int8 model, e.g. `nin export-onnx --int8` */
  readonly int8Export: string;
  /** the metadata key `nin eval --record` writes the test accuracy under */
  readonly accuracyKey: string;
}

/** What an int8 model file says about itself beyond its graph. */
export interface ExportedModelFacts {
  /** the float32 weights' manifest the export carried over; null when it has none */
  readonly manifest: NinManifest | null;
  /** what `nin eval --record` wrote into the model (all 10,000 test images); null before that */
  readonly testAccuracy: number | null;
}

/** The error a bundled model file that is not the int8 NiN for Fashion-MNIST fails the Worker's start with. */
export class ExportedModelError extends Error {
  override readonly name = 'ExportedModelError';
}

/** Reads the facts from the model's metadata entries, and refuses a model that is not the int8 Fashion-MNIST NiN. */
export function readInt8ModelFacts(
  meta: Readonly<Record<string, string>>,
  format: ExportedModelFormat,
): ExportedModelFacts {
  const model = `the bundled ${format.name} model`;
  if (meta.quantization === undefined)
    throw new ExportedModelError(
      `${model} is not the int8 one (no quantization metadata): export it with ${format.int8Export}`,
    );
  if (meta.classes !== undefined && meta.classes !== JSON.stringify(FASHION_MNIST_CLASSES))
    throw new ExportedModelError(`${model} has other class names than Fashion-MNIST`);
  const manifest = meta[MANIFEST_KEY] === undefined ? null : parseManifest(meta[MANIFEST_KEY]);
  const recorded = meta[format.accuracyKey];
  const test = recorded === undefined ? undefined : (JSON.parse(recorded) as { test?: unknown }).test;
  return { manifest, testAccuracy: typeof test === 'number' ? test : null };
}

/** Refuses a model of another input size than the Worker's INPUT_SIZE (`expected`; unset: any size). */
export function checkInputSize(expected: number | undefined, inputSize: number, format: ExportedModelFormat): void {
  if (expected !== undefined && expected !== inputSize)
    throw new ExportedModelError(
      `INPUT_SIZE is ${expected} but the bundled ${format.name} model is for ${inputSize} px`,
    );
}

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

/** Logits `[count, 10]` of `count` preprocessed images laid end to end. */
export type Forward = (input: Float32Array, count: number) => Promise<Float32Array>;

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

/**
 * An EdgeClassifier's `classify` on `forward`: checks the byte count, preprocesses the 28x28 images with the core's
 * resize to `inputSize`, and answers each image's prediction, top-k and logits with the time each step took.
 */
export function classifyEach(
  forward: Forward,
  inputSize: number,
  now: () => number = () => performance.now(),
): EdgeClassifier['classify'] {
  return async (images, count, topK) => {
    if (images.length !== count * FASHION_MNIST_PIXELS)
      throw new RangeError(`expected ${count} 28x28 images, got ${images.length} bytes`);
    const t0 = now();
    const input = preprocessImages(images, inputSize);
    const t1 = now();
    const logits = await forward(input, count);
    const t2 = now();
    const predictions = Array.from({ length: count }, (_, i) => {
      const row = logits.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      return { ...predictionFromLogits(row, topK), logits: Array.from(row) };
    });
    return { predictions, timing: { preprocessMs: t1 - t0, inferenceMs: t2 - t1 } };
  };
}
