import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { NinClassifier } from '../../model/classifier.ts';
import { DEFAULT_INPUT_SIZE, NUM_CLASSES } from '../../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../../data/classes.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../../data/preprocess.ts';
import { formatBackend } from '../../backends/registry.ts';
import { createNodeBackendRegistry } from '../backends.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { readNinWeightsFile, weightsPathOrDefault } from '../weights-file.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { withManifestAccuracy } from '../../weights/state-dict.ts';
import type { NinManifest } from '../../weights/manifest.ts';
import { WeightsError } from '../../weights/errors.ts';
import { NIN_ONNX_INPUT, NIN_ONNX_OUTPUT } from '../../onnx/export.ts';
import { ONNX_ACCURACY_KEY, readOnnxMetadata, withOnnxMetadata } from '../../onnx/metadata.ts';
import { importOnnxRuntimeNode } from '../int8-onnx.ts';
import { UsageError, defineCommand, option } from '../cli-args.ts';
import { loadLiteRtNodeClassifier } from '../litert.ts';
import { LITERT_BUILDS, type LiteRtBuild } from '../../litert/build.ts';
import { TFLITE_ACCURACY_KEY, readTfliteMetadata, withTfliteMetadata } from '../../tflite/index.ts';

const USAGE = `usage: nin eval [--weights F | --onnx F | --tflite F] [--backend B] [--limit N] [--batch N] [--size N] [--json] [--record]

  --weights F   NiN weights (default: the trained weights in packages/core-nin/weights)
  --onnx F      an ONNX model instead (\`nin export-onnx\`, float32 or --int8), run by onnxruntime-node on all cores
  --tflite F    a .tflite model instead (\`nin export-tflite\`, float32 or --int8), run by LiteRT.js in wasm on one
                thread: its relaxed-SIMD build where this Node has relaxed SIMD (22+), else its compat build
  --backend B   cpu, wasm:simd (default), wasm:plain, webgpu, tensorflow[:cpu|:gpu] (not with --onnx); with
                --tflite: litert:relaxed or litert:compat pins LiteRT.js's build
  --limit N     evaluate only the first N test images (default: all 10,000)
  --batch N     images per forward pass (default 32)
  --size N      input side in pixels (default: the weights' manifest, else ${DEFAULT_INPUT_SIZE})
  --json        one JSON document on stdout (the progress bar stays on stderr)
  --record      write the measured test accuracy (and per-class accuracy) into the weights file's manifest,
                keeping its tensors (with --onnx: into the model's metadata_props "accuracy"; with --tflite: into its
                metadata "accuracy"; keeping the graph); only for an evaluation of all 10,000 images at the model's
                input size

Accuracy and per-class accuracy on the official Fashion-MNIST test set (found on disk or downloaded, see
README), beside the accuracy the weights' manifest records. Images/s includes preprocessing; it is a sanity
figure, not a benchmark (that is \`npm run bench\`).`;

export const command = defineCommand({
  usage: USAGE,
  options: {
    weights: option.string(),
    onnx: option.string(),
    tflite: option.string(),
    backend: option.string(),
    limit: option.positiveInteger(),
    batch: option.positiveInteger().default(32),
    size: option.inputSize(),
    json: option.boolean(),
    record: option.boolean(),
  },
  async run({ values }) {
    const { batch } = values;
    const limit = values.limit ?? Infinity;
    const requestedSize = values.size;
    const given = (['onnx', 'tflite', 'weights'] as const).filter((name) => values[name] !== undefined);
    if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} are two models: give one`);
    if (values.onnx !== undefined && values.backend !== undefined)
      throw new UsageError('--backend picks a tfjs backend; an --onnx model runs on onnxruntime-node');
    if (values.tflite !== undefined && values.backend !== undefined && !liteRtBuildOf(values.backend))
      throw new UsageError(`--backend ${values.backend}: a --tflite model runs on litert:relaxed or litert:compat`);
    if (values.record && values.limit !== undefined)
      throw new UsageError('--record needs the whole test set: drop --limit');
    const kind = given[0] ?? 'weights';
    const model =
      kind === 'onnx'
        ? await onnxModel(values.onnx!, requestedSize, values.record)
        : kind === 'tflite'
          ? await tfliteModel(values.tflite!, requestedSize, values.record)
          : await weightsModel(values.weights, requestedSize, values.record);
    const test = await loadFashionMnist('test');
    const evaluator = await model.start(values.backend ?? (kind === 'tflite' ? 'litert:auto' : 'wasm:simd'));
    const { inputSize } = model;

    const count = Math.min(limit, test.count);
    // confusion[truth][predicted]
    const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
    const bar = new cliProgress.SingleBar(
      {
        format: 'eval [{bar}] {value}/{total} images | {accuracy} correct so far | {speed} images/s',
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(count, 0, { accuracy: '-', speed: '-' });
    let correct = 0;
    let modelMs = 0;
    const started = performance.now();
    try {
      for (let start = 0; start < count; start += batch) {
        const end = Math.min(start + batch, count);
        const input = preprocessImages(
          test.images.subarray(start * FASHION_MNIST_PIXELS, end * FASHION_MNIST_PIXELS),
          inputSize,
        );
        const before = performance.now();
        const logits = await evaluator.logits(input, end - start);
        modelMs += performance.now() - before;
        for (let i = 0; i < end - start; i++) {
          let best = 0;
          for (let k = 1; k < NUM_CLASSES; k++)
            if (logits[i * NUM_CLASSES + k] > logits[i * NUM_CLASSES + best]) best = k;
          const truth = test.labels[start + i];
          confusion[truth][best]++;
          if (best === truth) correct++;
        }
        const seconds = (performance.now() - started) / 1000;
        bar.update(end, { accuracy: `${((100 * correct) / end).toFixed(2)}%`, speed: (end / seconds).toFixed(1) });
      }
    } finally {
      bar.stop();
      await evaluator.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const perClass = confusion.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return { class: FASHION_MNIST_CLASSES[c], images: total, accuracy: total > 0 ? row[c] / total : null };
    });
    const result = {
      [kind]: model.path,
      storage: model.storage,
      inputSize,
      backend: evaluator.backend,
      images: count,
      correct,
      accuracy: correct / count,
      manifestAccuracy: model.recordedAccuracy,
      ...(kind !== 'weights' ? { floatSourceAccuracy: model.floatSourceAccuracy } : {}),
      perClass,
      confusion,
      seconds,
      imagesPerSecond: count / seconds,
      // the model alone (preprocessing excluded), per image
      modelMsPerImage: modelMs / count,
      batch,
    };
    let recorded: string | null = null;
    if (values.record) {
      recorded = await model.record({
        test: result.accuracy,
        perClass: perClass.map((c) => c.accuracy ?? 0),
        evaluatedOn:
          `all ${count} Fashion-MNIST test images, \`nin eval\` on ${evaluator.name}, ` +
          `the ${model.storage} ${kind === 'weights' ? 'weights' : 'model'} as stored`,
      });
    }
    if (values.json) {
      console.log(JSON.stringify({ ...result, recorded }, null, 2));
      return 0;
    }
    const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
    const details = Object.entries(evaluator.backend.details)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(`${kind.padEnd(9)} ${model.path} (${result.storage ?? 'no manifest'}, ${inputSize} px)`);
    console.log(`backend   ${evaluator.name} (${details})`);
    console.log(`images    ${count} of the Fashion-MNIST test set`);
    console.log(
      `accuracy  ${pct(result.accuracy)} measured, ` +
        `${result.manifestAccuracy === null ? 'none recorded' : `${pct(result.manifestAccuracy)} recorded`} ` +
        `in the ${kind === 'weights' ? 'manifest' : "model's metadata"}` +
        (model.floatSourceAccuracy !== null ? `; its float32 source recorded ${pct(model.floatSourceAccuracy)}` : ''),
    );
    console.log('per class');
    for (const c of perClass)
      console.log(`  ${c.class.padEnd(12)} ${pct(c.accuracy).padStart(7)}  (${c.images} images)`);
    console.log(
      `speed     ${result.imagesPerSecond.toFixed(1)} images/s, batch ${batch} (${seconds.toFixed(1)} s, preprocessing included); ` +
        `the model alone ${result.modelMsPerImage.toFixed(2)} ms an image`,
    );
    if (recorded)
      console.log(
        `recorded  ${pct(result.accuracy)} as the test accuracy in ${recorded}'s ${kind === 'weights' ? 'manifest' : 'metadata'}`,
      );
    return 0;
  },
});

type Accuracy = NonNullable<NinManifest['accuracy']>;

/** What the loop needs of a model, whichever engine runs it. */
interface EvalModel {
  readonly path: string;
  readonly storage: string | null;
  readonly inputSize: number;
  readonly recordedAccuracy: number | null;
  /** for an ONNX model: the test accuracy its float32 source's manifest records */
  readonly floatSourceAccuracy: number | null;
  start(backend: string): Promise<Evaluator>;
  /** writes the accuracy into the file, keeping its tensors or graph; returns the path */
  record(accuracy: Accuracy): Promise<string>;
}

interface Evaluator {
  readonly name: string;
  readonly backend: {
    readonly name: string;
    readonly variant?: string;
    readonly details: Readonly<Record<string, unknown>>;
  };
  logits(input: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}

async function weightsModel(
  path: string | undefined,
  requestedSize: number | undefined,
  record: boolean,
): Promise<EvalModel> {
  const weights = await readNinWeightsFile(weightsPathOrDefault(path));
  if (record) {
    if (!weights.manifest) throw new UsageError(`--record: ${weights.path} has no nin manifest to record in`);
    if (requestedSize !== undefined && requestedSize !== weights.manifest.inputSize) {
      throw new UsageError(
        `--record: the weights were trained at ${weights.manifest.inputSize} px, not ${requestedSize}`,
      );
    }
  }
  const inputSize = requestedSize ?? weights.manifest?.inputSize ?? DEFAULT_INPUT_SIZE;
  return {
    path: weights.path,
    storage: weights.manifest?.storage ?? null,
    inputSize,
    recordedAccuracy: weights.manifest?.accuracy?.test ?? null,
    floatSourceAccuracy: null,
    async start(name) {
      const backend = await createNodeBackendRegistry().activate(name);
      const classifier = NinClassifier.fromStateDict(weights.stateDict, inputSize, weights.manifest);
      return {
        name: formatBackend(backend),
        backend,
        logits: (input, n) => classifier.logits(input, n),
        dispose: () => classifier.dispose(),
      };
    },
    async record(accuracy) {
      await writeFileAtomic(
        weights.path,
        await withManifestAccuracy(weights.bytes, { ...weights.manifest!.accuracy, ...accuracy }),
      );
      return weights.path;
    },
  };
}

function jsonEntry<T>(meta: Record<string, string>, key: string): T | null {
  if (meta[key] === undefined) return null;
  try {
    return JSON.parse(meta[key]) as T;
  } catch {
    return null;
  }
}

/**
 * How `nin export-onnx` and `nin export-tflite` files keep their metadata (string entries: input_size,
 * quantization, accuracy...): `field` is where, in the format's own words; `storage` names float32 and int8 files.
 */
const FORMATS = {
  onnx: { name: 'ONNX', field: 'metadata_props', storage: ['float32 ONNX', 'int8 QDQ ONNX'], read: readOnnxMetadata },
  tflite: {
    name: '.tflite',
    field: 'metadata',
    storage: ['float32 .tflite', 'int8 .tflite'],
    read: readTfliteMetadata,
  },
} as const;

/** An exported model's bytes and what its metadata says, the input size checked; failures are one line. */
async function exportedModel(
  file: string,
  kind: keyof typeof FORMATS,
  requestedSize: number | undefined,
  record: boolean,
) {
  const format = FORMATS[kind];
  const path = resolve(file);
  let bytes: Uint8Array;
  let meta: Record<string, string>;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new WeightsError(`${path}: cannot read the ${format.name} model (${why})`);
  }
  try {
    meta = format.read(bytes);
  } catch (e) {
    throw new WeightsError(`${path}: ${(e as Error).message}`);
  }
  const recordedSize = meta.input_size !== undefined ? Number(meta.input_size) : undefined;
  if (requestedSize !== undefined && recordedSize !== undefined && requestedSize !== recordedSize) {
    throw new UsageError(
      `--size ${requestedSize}: ${path} takes ${recordedSize} px input (its ${format.field} input_size)`,
    );
  }
  const inputSize = requestedSize ?? recordedSize;
  if (inputSize === undefined) throw new UsageError(`${path} has no input_size in its ${format.field}: pass --size`);
  if (record && recordedSize === undefined)
    throw new UsageError(`--record: ${path} is not a nin export-${kind} model (no input_size in its ${format.field})`);
  return {
    path,
    bytes,
    inputSize,
    storage: meta.quantization !== undefined ? format.storage[1] : format.storage[0],
    recordedAccuracy: jsonEntry<Accuracy>(meta, 'accuracy')?.test ?? null,
    floatSourceAccuracy:
      jsonEntry<{ testAccuracy?: number | null }>(meta, 'float_source')?.testAccuracy ??
      jsonEntry<NinManifest>(meta, 'nin_manifest')?.accuracy?.test ??
      null,
  };
}

async function onnxModel(file: string, requestedSize: number | undefined, record: boolean): Promise<EvalModel> {
  const model = await exportedModel(file, 'onnx', requestedSize, record);
  const { path, bytes, inputSize } = model;
  return {
    ...model,
    async start() {
      const ort = await importOnnxRuntimeNode('nin eval --onnx');
      const threads = availableParallelism();
      let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
      try {
        session = await ort.InferenceSession.create(bytes, {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
        });
      } catch (e) {
        throw new WeightsError(`${path}: onnxruntime-node cannot load it (${(e as Error).message.split('\n')[0]})`);
      }
      return {
        name: 'onnxruntime-node',
        backend: {
          name: 'onnxruntime-node',
          details: { version: ort.env.versions.node ?? 'unknown', intraOpThreads: threads, executionProvider: 'cpu' },
        },
        async logits(input, n) {
          const out = await session.run({
            [NIN_ONNX_INPUT]: new ort.Tensor('float32', input, [n, 1, inputSize, inputSize]),
          });
          return out[NIN_ONNX_OUTPUT].data as Float32Array;
        },
        dispose: () => session.release(),
      };
    },
    async record(accuracy) {
      await writeFileAtomic(path, withOnnxMetadata(bytes, { [ONNX_ACCURACY_KEY]: JSON.stringify(accuracy) }));
      return path;
    },
  };
}

/** `litert:relaxed` / `litert:compat` as a build; `litert:auto` as null (this Node's best); anything else undefined. */
function liteRtBuildOf(backend: string): LiteRtBuild | null | undefined {
  if (backend === 'litert:auto') return null;
  const build = /^litert:(\w+)$/.exec(backend)?.[1];
  return LITERT_BUILDS.find((b) => b === build);
}

async function tfliteModel(file: string, requestedSize: number | undefined, record: boolean): Promise<EvalModel> {
  const model = await exportedModel(file, 'tflite', requestedSize, record);
  const { path, bytes, inputSize } = model;
  return {
    ...model,
    async start(backend) {
      const classifier = await loadLiteRtNodeClassifier(bytes, { build: liteRtBuildOf(backend) ?? 'auto' }).catch(
        (e: unknown) => {
          throw e instanceof WeightsError ? new WeightsError(`${path}: ${e.message}`) : e;
        },
      );
      const { build, version } = classifier.runtime;
      if (classifier.inputSize !== inputSize) {
        classifier.dispose();
        throw new UsageError(`--size ${inputSize}: ${path} takes ${classifier.inputSize} px input`);
      }
      return {
        name: `litert:${build}`,
        backend: { name: 'litert', variant: build, details: { version, build, threads: 1, accelerator: 'wasm' } },
        logits: (input, n) => classifier.logits(input, n),
        dispose: () => classifier.dispose(),
      };
    },
    async record(accuracy) {
      await writeFileAtomic(path, withTfliteMetadata(bytes, { [TFLITE_ACCURACY_KEY]: JSON.stringify(accuracy) }));
      return path;
    },
  };
}
