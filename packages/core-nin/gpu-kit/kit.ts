// Entry of the GPU kit's bundle (gpu-kit/bundle.mjs -> .kit/app/nin-kit.mjs): `probe` and `bench` are the kit's
// own measurements; every other command is the nin CLI itself (training is `nin train`, testing `nin eval`),
// bundled so that a machine with a Node binary and no node_modules can run it. One dispatcher (cli-args) for all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { defineCommand, option, runCli, type Command } from '../src/node/cli-args.ts';
import { NIN_COMMANDS, NIN_FAILURES } from '../src/node/cli/main.ts';
import type { ConvFilterGradImpl } from '../src/node/webgpu-conv-filter-grad.ts';

const GRADS: readonly ConvFilterGradImpl[] = ['matmul', 'tfjs'];

const probe = defineCommand({
  usage: `usage: nin-kit probe [--size 224] [--batch 2] [--out F.json]

  --size N    input side in pixels (default 224)
  --batch N   images in the parity batch (default 2)
  --out F     write the result as JSON to F (default: stdout)

Exit 0 when webgpu's logits match cpu's, 1 otherwise.`,
  options: {
    size: option.inputSize().default(224),
    batch: option.positiveInteger().default(2),
    out: option.string(),
  },
  async run({ values }) {
    // The measurements load tfjs and Dawn: only once the arguments are known to be good.
    const { probe: measure, writeJson } = await import('./measure.ts');
    const result = await measure({ size: values.size, batch: values.batch });
    await writeJson(values.out, result);
    const adapter = result.webgpu && (result.webgpu as { details: { adapter: string } }).details.adapter;
    console.error(`[probe] adapter: ${String(adapter)}; parity max |diff| ${result.parity.maxAbsDiff}`);
    return result.parity.pass ? 0 : 1;
  },
});

const bench = defineCommand({
  usage: `usage: nin-kit bench [--size 224] [--batch 128] [--infer 1,32,128] [--grads matmul,tfjs] [--train-seconds 8] [--infer-seconds 3] [--out F.json]

  --size N            input side in pixels (default 224)
  --batch N           training batch size (default 128)
  --infer LIST        inference batch sizes (default 1,32,128)
  --grads LIST        conv filter-gradient implementations to time: matmul, tfjs (default both)
  --train-seconds S   seconds of training steps per implementation (default 8)
  --infer-seconds S   seconds per inference batch size (default 3)
  --out F             write the result as JSON to F after every measurement (default: stdout at the end)`,
  options: {
    size: option.inputSize().default(224),
    batch: option.positiveInteger().default(128),
    infer: option.list(option.positiveInteger()).default([1, 32, 128]),
    grads: option.list(option.choice(GRADS)).default([...GRADS]),
    'train-seconds': option.number({ above: 0 }).default(8),
    'infer-seconds': option.number({ above: 0 }).default(3),
    out: option.string(),
  },
  async run({ values }) {
    const { bench: measure, writeJson } = await import('./measure.ts');
    const { out } = values;
    const result = await measure({
      size: values.size,
      trainBatch: values.batch,
      inferBatches: values.infer,
      grads: values.grads,
      trainSeconds: values['train-seconds'],
      inferSeconds: values['infer-seconds'],
      // Written after every measurement, so a run cut short still leaves what it measured.
      onResult: out ? (partial) => writeJson(out, partial) : undefined,
    });
    if (!out) await writeJson(undefined, result);
    return 0;
  },
});

process.exitCode = await runCli(
  {
    name: 'nin-kit',
    commands: {
      probe: { summary: "Dawn's adapter, and webgpu's forward pass against cpu's", load: async () => probe as Command },
      bench: {
        summary: 'training and inference throughput of the core trainer on webgpu (random batches)',
        load: async () => bench as Command,
      },
      // run.sh trains with `nin train` and tests with `nin eval`
      ...NIN_COMMANDS,
    },
    knownFailures: NIN_FAILURES,
  },
  process.argv.slice(2),
);
