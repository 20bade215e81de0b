// `npm run -w @nin-bench/edge-api photo-accuracy`: an edge build's (by default the default build's) accuracy on
// product-photo-like pictures of the test images (each photo-style variant), through the edge's decoding and
// toModelTile, against the same images posted as 28x28 tiles. Writes JSON and prints a Markdown table.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { PHOTO_VARIANTS } from '@nin-bench/core-nin/data/photo-style';
import { UsageError, option, runScript } from '@nin-bench/core-nin/node/cli-args';
import { EDGE_DIR, edgeBuildFromEnv } from '../src/node/edge-weights.ts';
import { measurePhotoAccuracy, photoAccuracyTable } from '../src/node/photo-accuracy.ts';

const DEFAULT_OUT = join(EDGE_DIR, 'results', 'photo-accuracy.json');
const VARIANT_NAMES = PHOTO_VARIANTS.map((v) => v.name);

const COMMAND = 'npm run -w @nin-bench/edge-api photo-accuracy --';
const USAGE = `usage: [EDGE_SIZE=...] [EDGE_WEIGHTS=...] [EDGE_ENGINE=...] ${COMMAND} [--images N] [--seed S] [--variants a,b] [--out FILE]

Turns the first N test images (default 10000) into seeded product-photo-like pictures (${VARIANT_NAMES.join(', ')}),
encodes them (PNG or JPEG), decodes them as the edge does, makes the model's tile with toModelTile (auto fit) and
classifies it with the edge build the variables select as for edge:dev (none: the default build), beside the same
images posted as 28x28 tiles and the photos' plain resize. Writes JSON to FILE (default ${relative(process.cwd(), DEFAULT_OUT)})
and prints a Markdown table. About 0.5 s per test image for all variants on one core.`;

await runScript({
  name: 'photo-accuracy',
  helpCommand: `${COMMAND} --help`,
  usage: USAGE,
  options: {
    images: option.positiveInteger({ max: 10_000 }).default(10_000),
    seed: option.integer({ min: 0 }).default(1),
    variants: option.list({ parse: (text) => option.choice(VARIANT_NAMES).parse(text, '--variants') }),
    out: option.string().default(DEFAULT_OUT),
  },
  // Missing test data or model files: one line, exit 1.
  knownFailures: (e) => e.code === 'ENOENT' || /weights|model|Fashion-MNIST/i.test(e.message),
  async run({ values }) {
    let build;
    try {
      const chosen = ['EDGE_SIZE', 'EDGE_WEIGHTS', 'EDGE_ENGINE'].some((v) => process.env[v]);
      build = chosen ? edgeBuildFromEnv() : undefined;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const started = Date.now();
    let last = 0;
    const result = await measurePhotoAccuracy({
      images: values.images,
      seed: values.seed,
      variants: values.variants,
      build,
      onProgress(done, total) {
        if (Date.now() - last < 5_000 && done < total) return;
        last = Date.now();
        const minutes = (Date.now() - started) / 60_000;
        const left = (minutes / done) * (total - done);
        console.error(
          `photo-accuracy: ${done}/${total} test images (${Math.round((100 * done) / total)}%), ${minutes.toFixed(1)} min, about ${left.toFixed(1)} min left`,
        );
      },
    });
    const out = resolve(values.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(photoAccuracyTable(result));
    console.log(`\nwrote ${relative(process.cwd(), out)} (${(result.seconds / 60).toFixed(1)} min)`);
    return 0;
  },
});
