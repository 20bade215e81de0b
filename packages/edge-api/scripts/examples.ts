// Writes packages/edge-api/examples/: the first 10 Fashion-MNIST test images as 28x28 gray PNGs (what the README's
// curl commands and the end-to-end test send) with their labels, one of them enlarged to 280x280 RGB, to show
// that any size and colour type is accepted, and two as product photos in JPEG (core's seeded photo-style
// pictures), one of them stored on its side with the EXIF orientation a phone writes (6: turn 90° clockwise).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, type RgbaImage } from '@nin-bench/core-nin';
import { encodePhoto, photoStyleImage, photoVariant } from '@nin-bench/core-nin/data/photo-style';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { knownFailures, runScript } from '@nin-bench/core-nin/node/cli-args';

export const EXAMPLES_DIR = join(EDGE_DIR, 'examples');
const COUNT = 10;

const slug = (name: string) => name.toLowerCase().replace(/[^a-z]+/g, '-');
const USAGE = `usage: node --import tsx packages/edge-api/scripts/examples.ts

Writes ${EXAMPLES_DIR}: the first ${COUNT} Fashion-MNIST test images as 28x28 gray PNGs with their labels
(samples.json), the first one enlarged to 280x280 RGB, and two product photos in JPEG (one with EXIF orientation 6).`;

/**
 * A JPEG with an EXIF block that says "orientation N" inserted after its start marker (APP1: "Exif", a big-endian
 * TIFF header and one IFD entry, tag 0x0112): what a phone writes instead of turning the pixels.
 */
function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return Uint8Array.from([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/** The picture turned 90° counter-clockwise: stored so, a viewer applying EXIF orientation 6 shows it upright. */
function turnedCounterClockwise({ width, height, data }: RgbaImage): RgbaImage {
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      out.set(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4), ((width - 1 - x) * height + y) * 4);
  return { width: height, height: width, data: out };
}

await runScript({
  name: 'edge examples',
  helpCommand: 'node --import tsx packages/edge-api/scripts/examples.ts --help',
  usage: USAGE,
  // A missing data set (offline, no local copy) is one line, exit 1.
  knownFailures: knownFailures({ names: ['DatasetError', 'IdxFormatError'], codes: ['ENOENT', 'EACCES'] }),
  async run() {
    const test = await loadFashionMnist('test');
    await mkdir(EXAMPLES_DIR, { recursive: true });
    const samples = [];
    for (let i = 0; i < COUNT; i++) {
      const label = test.labels[i];
      const file = `test-${String(i).padStart(4, '0')}-${slug(FASHION_MNIST_CLASSES[label])}.png`;
      const pixels = test.images.slice(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS);
      await writeFile(join(EXAMPLES_DIR, file), encode({ width: 28, height: 28, data: pixels, channels: 1, depth: 8 }));
      samples.push({ file, testIndex: i, label, className: FASHION_MNIST_CLASSES[label] });
    }
    // Test image 0 as a 280x280 RGB picture (nearest-neighbour x10, tinted): the endpoint converts it back.
    const big = new Uint8Array(280 * 280 * 3);
    for (let y = 0; y < 280; y++)
      for (let x = 0; x < 280; x++) {
        const v = test.images[Math.floor(y / 10) * 28 + Math.floor(x / 10)];
        big.set([v, Math.round(v * 0.9), Math.round(v * 0.8)], (y * 280 + x) * 3);
      }
    const bigFile = `test-0000-${slug(FASHION_MNIST_CLASSES[test.labels[0]])}-280x280-rgb.png`;
    await writeFile(join(EXAMPLES_DIR, bigFile), encode({ width: 280, height: 280, data: big, channels: 3, depth: 8 }));
    samples.push({
      file: bigFile,
      testIndex: 0,
      label: test.labels[0],
      className: FASHION_MNIST_CLASSES[test.labels[0]],
    });
    // Two product photos: test image 0 on a light grey backdrop, and test image 1 in colour, stored on its side with
    // EXIF orientation 6 as a phone would write it (the endpoint must answer it upright).
    const photos = [
      { index: 0, variant: 'grey-jpeg', exif: 1 },
      { index: 1, variant: 'colour-jpeg', exif: 6 },
    ];
    for (const { index, variant, exif } of photos) {
      const label = test.labels[index];
      const tile = test.images.slice(index * FASHION_MNIST_PIXELS, (index + 1) * FASHION_MNIST_PIXELS);
      const picture = photoStyleImage(tile, photoVariant(variant), index + 1);
      const quality = photoVariant(variant).jpegQuality;
      const jpeg =
        exif === 6
          ? withExifOrientation(encodePhoto(turnedCounterClockwise(picture), 'jpeg', quality), 6)
          : encodePhoto(picture, 'jpeg', quality);
      const file = `photo-${String(index).padStart(4, '0')}-${slug(FASHION_MNIST_CLASSES[label])}${exif === 6 ? '-exif6' : ''}.jpg`;
      await writeFile(join(EXAMPLES_DIR, file), jpeg);
      samples.push({ file, testIndex: index, label, className: FASHION_MNIST_CLASSES[label] });
    }
    await writeFile(
      join(EXAMPLES_DIR, 'samples.json'),
      JSON.stringify({ source: 'Fashion-MNIST test set (t10k), first images in order', samples }, null, 2) + '\n',
    );
    console.log(`wrote ${samples.length} pictures and samples.json to ${EXAMPLES_DIR}`);
    return 0;
  },
});
