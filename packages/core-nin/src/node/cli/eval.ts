import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { NinClassifier } from '../../model/classifier.ts';
import { DEFAULT_INPUT_SIZE, NUM_CLASSES } from '../../model/architecture.ts';
import { FASHION_MNIST_CLASSES } from '../../data/classes.ts';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../../data/preprocess.ts';
import { formatBackend } from '../../backends/registry.ts';
import { createNodeBackendRegistry } from '../backends.ts';
import { loadFashionMnist } from '../fashion-mnist.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { withManifestAccuracy } from '../../weights/state-dict.ts';
import { CliUsageError, inputSizeFlag, positiveInteger, weightsPathFlag, type CliCommand } from './command.ts';

const USAGE = `usage: nin eval [--weights F] [--backend B] [--limit N] [--batch N] [--size N] [--json] [--record]

  --weights F   NiN weights (default: the trained weights in packages/core-nin/weights)
  --backend B   cpu, wasm:simd (default), wasm:plain, webgpu, tensorflow[:cpu|:gpu]
  --limit N     evaluate only the first N test images (default: all 10,000)
  --batch N     images per forward pass (default 32)
  --size N      input side in pixels (default: the weights' manifest, else ${DEFAULT_INPUT_SIZE})
  --json        one JSON document on stdout (the progress bar stays on stderr)
  --record      write the measured test accuracy (and per-class accuracy) into the weights file's manifest,
                keeping its tensors; only for an evaluation of all 10,000 images at the manifest's input size

Accuracy and per-class accuracy on the official Fashion-MNIST test set (found on disk or downloaded, see
README), beside the accuracy the weights' manifest records. Images/s includes preprocessing; it is a sanity
figure, not a benchmark (that is \`npm run bench\`).`;

export const command: CliCommand = {
  summary: 'Accuracy of the NiN on the Fashion-MNIST test set',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        weights: { type: 'string' },
        backend: { type: 'string', default: 'wasm:simd' },
        limit: { type: 'string' },
        batch: { type: 'string', default: '32' },
        size: { type: 'string' },
        json: { type: 'boolean', default: false },
        record: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const batch = positiveInteger('--batch', values.batch);
    const limit = values.limit === undefined ? Infinity : positiveInteger('--limit', values.limit);
    const requestedSize = inputSizeFlag(values.size);
    const weights = await readNinWeightsFile(weightsPathFlag(values.weights));
    if (values.record) {
      if (!weights.manifest) throw new CliUsageError(`--record: ${weights.path} has no nin manifest to record in`);
      if (values.limit !== undefined) throw new CliUsageError('--record needs the whole test set: drop --limit');
      if (requestedSize !== undefined && requestedSize !== weights.manifest.inputSize) {
        throw new CliUsageError(`--record: the weights were trained at ${weights.manifest.inputSize} px, not ${requestedSize}`);
      }
    }
    const test = await loadFashionMnist('test');
    const backend = await createNodeBackendRegistry().activate(values.backend);
    const inputSize = requestedSize ?? weights.manifest?.inputSize ?? DEFAULT_INPUT_SIZE;
    const classifier = NinClassifier.fromStateDict(weights.stateDict, inputSize, weights.manifest);

    const count = Math.min(limit, test.count);
    // confusion[truth][predicted]
    const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
    const bar = new cliProgress.SingleBar(
      { format: 'eval [{bar}] {value}/{total} images | {accuracy} correct so far | {speed} images/s', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(count, 0, { accuracy: '-', speed: '-' });
    let correct = 0;
    const started = performance.now();
    try {
      for (let start = 0; start < count; start += batch) {
        const end = Math.min(start + batch, count);
        const input = preprocessImages(test.images.subarray(start * FASHION_MNIST_PIXELS, end * FASHION_MNIST_PIXELS), inputSize);
        const logits = await classifier.logits(input, end - start);
        for (let i = 0; i < end - start; i++) {
          let best = 0;
          for (let k = 1; k < NUM_CLASSES; k++) if (logits[i * NUM_CLASSES + k] > logits[i * NUM_CLASSES + best]) best = k;
          const truth = test.labels[start + i];
          confusion[truth][best]++;
          if (best === truth) correct++;
        }
        const seconds = (performance.now() - started) / 1000;
        bar.update(end, { accuracy: `${((100 * correct) / end).toFixed(2)}%`, speed: (end / seconds).toFixed(1) });
      }
    } finally {
      bar.stop();
      classifier.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const perClass = confusion.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return { class: FASHION_MNIST_CLASSES[c], images: total, accuracy: total > 0 ? row[c] / total : null };
    });
    const result = {
      weights: weights.path,
      storage: weights.manifest?.storage ?? null,
      inputSize,
      backend,
      images: count,
      correct,
      accuracy: correct / count,
      manifestAccuracy: weights.manifest?.accuracy?.test ?? null,
      perClass,
      confusion,
      seconds,
      imagesPerSecond: count / seconds,
      batch,
    };
    let recorded: string | null = null;
    if (values.record) {
      const accuracy = {
        ...weights.manifest!.accuracy,
        test: result.accuracy,
        perClass: perClass.map((c) => c.accuracy ?? 0),
        evaluatedOn: `all ${count} Fashion-MNIST test images, \`nin eval\` on ${formatBackend(backend)}, the ${result.storage} weights as stored`,
      };
      await writeFileAtomic(weights.path, await withManifestAccuracy(weights.bytes, accuracy));
      recorded = weights.path;
    }
    if (values.json) {
      console.log(JSON.stringify({ ...result, recorded }, null, 2));
      return 0;
    }
    const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
    const details = Object.entries(backend.details).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`weights   ${weights.path} (${result.storage ?? 'no manifest'}, ${inputSize} px)`);
    console.log(`backend   ${formatBackend(backend)} (${details})`);
    console.log(`images    ${count} of the Fashion-MNIST test set`);
    console.log(`accuracy  ${pct(result.accuracy)} measured, ${result.manifestAccuracy === null ? 'none recorded' : `${pct(result.manifestAccuracy)} recorded`} in the manifest`);
    console.log('per class');
    for (const c of perClass) console.log(`  ${c.class.padEnd(12)} ${pct(c.accuracy).padStart(7)}  (${c.images} images)`);
    console.log(`speed     ${result.imagesPerSecond.toFixed(1)} images/s, batch ${batch} (${seconds.toFixed(1)} s, preprocessing included)`);
    if (recorded) console.log(`recorded  ${pct(result.accuracy)} as the test accuracy in ${recorded}'s manifest`);
    return 0;
  },
};
