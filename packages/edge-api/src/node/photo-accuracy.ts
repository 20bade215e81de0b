// How well the edge answers product photos: real test images turned into seeded photo-style pictures
// (core-nin/data/photo-style), encoded, decoded as the edge decodes uploads (decodeImage), made into the model's
// tile by toModelTile, classified by an edge classifier (by default the default build's), against the same images
// posted as 28x28 tiles. Shared by `npm run -w @nin-bench/edge-api photo-accuracy` and its test.
import { stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { FASHION_MNIST_PIXELS, FASHION_MNIST_SIDE, toModelTile, type RgbaImage } from '@nin-bench/core-nin/data';
import { decodeImage } from '@nin-bench/core-nin/data/decode-image';
import { PHOTO_VARIANTS, photoStyleFile, photoVariant, type PhotoVariant } from '@nin-bench/core-nin/data/photo-style';
import { loadFashionMnist, nodeImageDecoderWasm } from '@nin-bench/core-nin/node';
import type { EdgeClassifier } from '../classifier.ts';
import { DEFAULT_EDGE_BUILD, EDGE_DIR, describeEdgeBuild, type EdgeBuild } from './edge-weights.ts';
import { loadEdgeClassifierForBuild } from './engines.ts';

export interface PhotoAccuracyOptions {
  /** the first `images` of the 10,000 test images */
  readonly images: number;
  readonly seed: number;
  /** variant names (default: every PHOTO_VARIANTS entry) */
  readonly variants?: readonly string[];
  /** the build whose classifier answers (default: the edge's default build) */
  readonly build?: EdgeBuild;
  /** test images per step (pictures of a step are held in memory together) */
  readonly chunk?: number;
  /** called after each step */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One way of posting the images: how many the model got right, and how toModelTile's auto fit judged them. */
export interface PostedAccuracy {
  readonly name: string;
  readonly description: string;
  readonly format: 'png' | 'jpeg';
  readonly images: number;
  /** decode -> toModelTile(auto) -> the classifier */
  readonly accuracy: number;
  readonly correct: number;
  /** fraction of the pictures auto judged photos */
  readonly autoChosePhoto: number;
  /** the same pictures with toModelTile(image, 'tile'): the plain resize the edge did before */
  readonly plainResizeAccuracy: number;
  /** paired with the tiles of the same images: right only here, right only as tiles */
  readonly onlyThisRight: number;
  readonly onlyTileRight: number;
}

export interface PhotoAccuracyResult {
  readonly images: number;
  readonly seed: number;
  /** the same test images posted as 28x28 gray PNGs (Fashion-MNIST's own tiles) */
  readonly tile: PostedAccuracy;
  readonly variants: readonly PostedAccuracy[];
  readonly model: {
    readonly build: string;
    /** the model file, relative to the repository's root */
    readonly file: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly engine: string;
    readonly runtime: string;
    readonly inputSize: number;
    /** the accuracy recorded in the model (all 10,000 test images, tiles) */
    readonly recordedTestAccuracy: number | null;
  };
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly node: string;
    /** the 1-minute load average when the run started and when it ended (other work on the machine) */
    readonly loadAverage: readonly [number, number];
  };
  readonly seconds: number;
}

/** One picture's seed: the run's seed, the test image and the variant, mixed (so each is its own picture). */
export function photoSeed(seed: number, image: number, variant: number): number {
  return (
    (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(image + 1, 0x85ebca6b) ^ Math.imul(variant + 1, 0xc2b2ae35)) >>> 0
  );
}

const TILE_DESCRIPTION = 'the test image itself: a 28x28 gray PNG (light garment on black)';

interface Tally {
  correct: number;
  photo: number;
  plainCorrect: number;
  onlyThis: number;
  onlyTile: number;
}

/** Classifies every posted picture of the first `options.images` test images; see the module comment. */
export async function measurePhotoAccuracy(options: PhotoAccuracyOptions): Promise<PhotoAccuracyResult> {
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const variants: PhotoVariant[] = (options.variants ?? PHOTO_VARIANTS.map((v) => v.name)).map(photoVariant);
  const build = options.build ?? DEFAULT_EDGE_BUILD;
  const [test, wasm, classifier] = await Promise.all([
    loadFashionMnist('test', { download: false }),
    nodeImageDecoderWasm(),
    loadEdgeClassifierForBuild(build),
  ]);
  const total = Math.min(options.images, test.labels.length);
  const chunk = Math.max(1, options.chunk ?? 50);
  const tally = (): Tally => ({ correct: 0, photo: 0, plainCorrect: 0, onlyThis: 0, onlyTile: 0 });
  const tileTally = tally();
  const variantTallies = variants.map(tally);
  const indexOf = (v: PhotoVariant) => PHOTO_VARIANTS.indexOf(v);

  for (let start = 0; start < total; start += chunk) {
    const n = Math.min(chunk, total - start);
    const labels = test.labels.subarray(start, start + n);
    const tileFiles = Array.from({ length: n }, (_, i) => {
      const tile = test.images.subarray((start + i) * FASHION_MNIST_PIXELS, (start + i + 1) * FASHION_MNIST_PIXELS);
      return encodePng({ width: FASHION_MNIST_SIDE, height: FASHION_MNIST_SIDE, data: tile, channels: 1, depth: 8 });
    });
    const tileRight = await postAll(classifier, tileFiles, labels, wasm, tileTally);
    for (const [k, variant] of variants.entries()) {
      const files = Array.from({ length: n }, (_, i) => {
        const tile = test.images.subarray((start + i) * FASHION_MNIST_PIXELS, (start + i + 1) * FASHION_MNIST_PIXELS);
        return photoStyleFile(tile, variant, photoSeed(options.seed, start + i, indexOf(variant)));
      });
      const right = await postAll(classifier, files, labels, wasm, variantTallies[k]);
      for (let i = 0; i < n; i++) {
        if (right[i] && !tileRight[i]) variantTallies[k].onlyThis++;
        if (!right[i] && tileRight[i]) variantTallies[k].onlyTile++;
      }
    }
    options.onProgress?.(start + n, total);
  }

  const posted = (name: string, description: string, format: 'png' | 'jpeg', t: Tally): PostedAccuracy => ({
    name,
    description,
    format,
    images: total,
    accuracy: t.correct / total,
    correct: t.correct,
    autoChosePhoto: t.photo / total,
    plainResizeAccuracy: t.plainCorrect / total,
    onlyThisRight: t.onlyThis,
    onlyTileRight: t.onlyTile,
  });
  return {
    images: total,
    seed: options.seed,
    tile: posted('tile-png', TILE_DESCRIPTION, 'png', tileTally),
    variants: variants.map((v, k) => posted(v.name, v.description, v.format, variantTallies[k])),
    model: {
      build: describeEdgeBuild(build),
      file: relative(join(EDGE_DIR, '..', '..'), build.weights),
      sha256: classifier.model.sha256,
      bytes: (await stat(build.weights)).size,
      engine: classifier.engine.name,
      runtime: classifier.engine.runtime,
      inputSize: classifier.model.inputSize,
      recordedTestAccuracy: classifier.model.testAccuracy,
    },
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      loadAverage: [loadAtStart, loadavg()[0]],
    },
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Decodes each file as the edge does, makes its tile with auto fit and with the plain resize, classifies both, and
 * counts into `tally`; returns which auto-fit answers were right.
 */
async function postAll(
  classifier: EdgeClassifier,
  files: readonly Uint8Array[],
  labels: Uint8Array,
  wasm: Awaited<ReturnType<typeof nodeImageDecoderWasm>>,
  tally: Tally,
): Promise<boolean[]> {
  const n = files.length;
  const auto = new Uint8Array(n * FASHION_MNIST_PIXELS);
  const plain = new Uint8Array(n * FASHION_MNIST_PIXELS);
  for (const [i, file] of files.entries()) {
    const image: RgbaImage = await decodeImage(file, { wasm });
    const tile = toModelTile(image);
    if (tile.fit === 'photo') tally.photo++;
    auto.set(tile.tile, i * FASHION_MNIST_PIXELS);
    plain.set(toModelTile(image, 'tile').tile, i * FASHION_MNIST_PIXELS);
  }
  const [a, p] = [await classifier.classify(auto, n, 1), await classifier.classify(plain, n, 1)];
  return a.predictions.map((prediction, i) => {
    if (p.predictions[i].index === labels[i]) tally.plainCorrect++;
    const right = prediction.index === labels[i];
    if (right) tally.correct++;
    return right;
  });
}

/** The result as a Markdown table: one row per way of posting, accuracy against the tiles of the same images. */
export function photoAccuracyTable(result: PhotoAccuracyResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = [result.tile, ...result.variants].map((r) => {
    const delta =
      r === result.tile
        ? ''
        : `${r.accuracy >= result.tile.accuracy ? '+' : ''}${((r.accuracy - result.tile.accuracy) * 100).toFixed(1)} pts`;
    return `| ${r.name} | ${r.format} | ${r.images} | ${r.accuracy.toFixed(4)} | ${delta} | ${pct(r.autoChosePhoto)} | ${r.plainResizeAccuracy.toFixed(4)} |`;
  });
  return [
    `${result.model.build} (${result.model.runtime}), the first ${result.images} test images, seed ${result.seed}:`,
    '',
    '| posted as | format | images | accuracy (auto fit) | vs tiles | auto chose photo | plain resize (fit tile) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
