// Writes packages/edge-api/examples/: the first 10 Fashion-MNIST test images as 28x28 gray PNGs (what the README's
// curl commands and the end-to-end test send) with their labels, and one of them enlarged to 280x280 RGB, to show
// that any size and colour type is accepted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS } from '@nin-bench/core-nin';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { EDGE_DIR } from '../src/node/edge-weights.ts';
import { knownFailures, runScript } from '@nin-bench/core-nin/node/cli-args';

export const EXAMPLES_DIR = join(EDGE_DIR, 'examples');
const COUNT = 10;

const slug = (name: string) => name.toLowerCase().replace(/[^a-z]+/g, '-');
const USAGE = `usage: node --import tsx packages/edge-api/scripts/examples.ts

Writes ${EXAMPLES_DIR}: the first ${COUNT} Fashion-MNIST test images as 28x28 gray PNGs with their labels
(samples.json), and the first one enlarged to 280x280 RGB.`;

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
    await writeFile(
      join(EXAMPLES_DIR, 'samples.json'),
      JSON.stringify({ source: 'Fashion-MNIST test set (t10k), first images in order', samples }, null, 2) + '\n',
    );
    console.log(`wrote ${samples.length} PNGs and samples.json to ${EXAMPLES_DIR}`);
    return 0;
  },
});
