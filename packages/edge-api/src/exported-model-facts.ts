// What an exported int8 model file (the ONNX model, the `.tflite` one) says about itself in its metadata, and the
// refusals of a bundled file that is not the int8 NiN for Fashion-MNIST: shared by the engines that run such files.
import { FASHION_MNIST_CLASSES } from '@nin-bench/core-nin/data';
import { MANIFEST_KEY, parseManifest, type NinManifest } from '@nin-bench/core-nin/weights';

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
