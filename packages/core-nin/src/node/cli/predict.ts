import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { NinClassifier, type ClassScore } from '../../model/classifier.ts';
import { DEFAULT_INPUT_SIZE } from '../../model/architecture.ts';
import { IdxFormatError, parseIdx } from '../../data/idx.ts';
import { ImageDecodeError } from '../../data/image-errors.ts';
import { decodeImage, sniffImageFormat } from '../../data/decode-image.ts';
import { IMAGE_FITS, toModelTile, type ImageFit } from '../../data/model-tile.ts';
import { nodeImageDecoderWasm } from '../image-decoder-wasm.ts';
import { FASHION_MNIST_PIXELS } from '../../data/preprocess.ts';
import { formatBackend } from '../../backends/registry.ts';
import { createNodeBackendRegistry } from '../backends.ts';
import { readNinWeightsFile, weightsPathOrDefault } from '../weights-file.ts';
import { UsageError, defineCommand, option } from '../cli-args.ts';

const USAGE = `usage: nin predict <picture.png|.jpg|.webp | images.idx[.gz] ...> [--fit F] [--weights F] [--backend B] [--top K] [--size N] [--json]

  <files>       pictures (PNG, JPEG with its EXIF orientation, WebP; any size and colour) and IDX image files (raw
                or .gz; every image in them)
  --fit F       how a picture becomes the model's 28x28 tile: auto (default: photo for a light, even border),
                photo (Fashion-MNIST's conversion of a product photo), tile (a data-set tile, resized)
  --weights F   NiN weights (default: the trained weights in packages/core-nin/weights)
  --backend B   cpu, wasm:simd (default), wasm:plain, webgpu, tensorflow[:cpu|:gpu]
  --top K       also list the K most probable classes (default 1)
  --size N      input side in pixels (default: the weights' manifest, else ${DEFAULT_INPUT_SIZE})
  --json        one JSON document on stdout instead of text lines

Text output: one line per image: file, index in the file, class, probability (tab-separated); with --json each
picture's row also says which fit it got and why.`;

/** Images of one input file, as 28x28 8-bit gray. */
interface InputImages {
  readonly file: string;
  readonly images: Uint8Array;
  readonly count: number;
  /** for a picture: the fit applied and why */
  readonly fit?: { readonly fit: 'photo' | 'tile'; readonly reason: string };
}

const IDX_IMAGES_MAGIC = [0x00, 0x00, 0x08, 0x03];
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

async function readInput(file: string, fit: ImageFit): Promise<InputImages> {
  let bytes: Uint8Array = new Uint8Array(await readFile(file));
  if (sniffImageFormat(bytes) !== undefined) {
    try {
      const tile = toModelTile(await decodeImage(bytes, { wasm: await nodeImageDecoderWasm() }), fit);
      return { file, images: tile.tile, count: 1, fit: { fit: tile.fit, reason: tile.reason } };
    } catch (e) {
      throw new ImageDecodeError(`${file}: ${(e as Error).message}`);
    }
  }
  if (startsWith(bytes, [0x1f, 0x8b])) {
    try {
      bytes = new Uint8Array(await promisify(gunzip)(bytes));
    } catch (e) {
      throw new IdxFormatError(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (!startsWith(bytes, IDX_IMAGES_MAGIC))
    throw new ImageDecodeError(`${file}: neither a picture (PNG, JPEG, WebP) nor an IDX image file (raw or .gz)`);
  const idx = parseIdx(bytes, 3, file);
  const [count, h, w] = idx.dims;
  if (h !== 28 || w !== 28)
    throw new IdxFormatError(
      `${file}: IDX images are ${h}x${w}; only 28x28 IDX images are supported (PNGs may be any size)`,
    );
  return { file, images: idx.data, count };
}

interface PredictionRow {
  readonly file: string;
  /** position of the image in its file (0 for a PNG) */
  readonly index: number;
  readonly label: string;
  readonly classIndex: number;
  readonly probability: number;
  readonly top: readonly ClassScore[];
  /** a picture's fit (photo or tile) and why; absent for IDX images */
  readonly fit?: string;
  readonly fitReason?: string;
}

/** How many images go through the network at once: bounds memory for big IDX files at 224 px. */
const BATCH = 64;

export const command = defineCommand({
  usage: USAGE,
  positionals: true,
  options: {
    weights: option.string(),
    backend: option.string().default('wasm:simd'),
    top: option.positiveInteger().default(1),
    fit: option.choice(IMAGE_FITS).default('auto'),
    size: option.inputSize(),
    json: option.boolean(),
  },
  async run({ values, positionals }) {
    if (positionals.length === 0) throw new UsageError('give at least one picture (PNG, JPEG, WebP) or IDX file');
    const topK = Math.min(values.top, 10);
    const requestedSize = values.size;
    // Inputs and weights are read before the backend starts, so a typo fails fast.
    const inputs = await Promise.all(positionals.map((file) => readInput(file, values.fit)));
    const weights = await readNinWeightsFile(weightsPathOrDefault(values.weights));
    const backend = await createNodeBackendRegistry().activate(values.backend);
    const inputSize = requestedSize ?? weights.manifest?.inputSize ?? DEFAULT_INPUT_SIZE;
    const classifier = NinClassifier.fromStateDict(weights.stateDict, inputSize, weights.manifest);
    const rows: PredictionRow[] = [];
    try {
      for (const input of inputs) {
        for (let start = 0; start < input.count; start += BATCH) {
          const end = Math.min(start + BATCH, input.count);
          const predictions = await classifier.classify(
            input.images.subarray(start * FASHION_MNIST_PIXELS, end * FASHION_MNIST_PIXELS),
            topK,
          );
          predictions.forEach((p, i) =>
            rows.push({
              file: input.file,
              index: start + i,
              label: p.label,
              classIndex: p.index,
              probability: p.top[0].probability,
              top: p.top,
              ...(input.fit ? { fit: input.fit.fit, fitReason: input.fit.reason } : {}),
            }),
          );
        }
      }
    } finally {
      classifier.dispose();
    }
    if (values.json) {
      const out = {
        weights: weights.path,
        storage: weights.manifest?.storage ?? null,
        inputSize,
        backend,
        predictions: rows,
      };
      console.log(JSON.stringify(out, null, 2));
    } else {
      console.error(`# ${weights.path} at ${inputSize} px on ${formatBackend(backend)}`);
      for (const r of rows) {
        const rest = r.top
          .slice(1)
          .map((t) => `\t${t.label}\t${t.probability.toFixed(4)}`)
          .join('');
        console.log(`${r.file}\t${r.index}\t${r.label}\t${r.probability.toFixed(4)}${rest}`);
      }
    }
    return 0;
  },
});
