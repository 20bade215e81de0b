// Entry of the GPU kit's bundle (gpu-kit/bundle.mjs -> .kit/app/nin-kit.mjs): `probe` and `bench` are the kit's
// own measurements; every other command is the nin CLI itself (train, eval, ...), bundled so that a machine with
// a Node binary and no node_modules can run it.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { parseArgs } from 'node:util';
import { main } from '../src/node/cli/main.ts';
import { bench, probe, writeJson } from './measure.ts';
import type { ConvFilterGradImpl } from '../src/node/webgpu-conv-filter-grad.ts';
import { trainLite } from './train-lite.ts';

const USAGE = `usage: nin-kit probe [--size 224] [--batch 2] [--out F.json]
       nin-kit bench [--size 224] [--batch 128] [--infer 1,32,128] [--grads matmul,tfjs] [--train-seconds 8] [--infer-seconds 3] [--out F.json]
       nin-kit train-lite --out DIR [--resume DIR] [--backend webgpu] [--size 224] [--epochs 10] [--batch 128] [--lr 0.05]
                 [--momentum 0.9] [--weight-decay 5e-4] [--clip-norm 5] [--warmup 100] [--max-minutes 7] [--limit N] [--eval-limit 2000] [--seed 1]
       nin-kit <nin command> ...   (train, eval, predict, export-onnx: see nin --help)`;

async function kit(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'probe') {
    const { values } = parseArgs({ args, options: { size: { type: 'string', default: '224' }, batch: { type: 'string', default: '2' }, out: { type: 'string' } } });
    const result = await probe({ size: Number(values.size), batch: Number(values.batch) });
    await writeJson(values.out, result);
    console.error(`[probe] adapter: ${String(result.webgpu && (result.webgpu as { details: { adapter: string } }).details.adapter)}; parity max |diff| ${result.parity.maxAbsDiff}`);
    return result.parity.pass ? 0 : 1;
  }
  if (command === 'bench') {
    const { values } = parseArgs({
      args,
      options: {
        size: { type: 'string', default: '224' },
        batch: { type: 'string', default: '128' },
        infer: { type: 'string', default: '1,32,128' },
        grads: { type: 'string', default: 'matmul,tfjs' },
        'train-seconds': { type: 'string', default: '8' },
        'infer-seconds': { type: 'string', default: '3' },
        out: { type: 'string' },
      },
    });
    const grads = values.grads.split(',').filter(Boolean) as ConvFilterGradImpl[];
    if (grads.some((g) => g !== 'matmul' && g !== 'tfjs')) throw new RangeError(`--grads takes matmul and/or tfjs, got ${values.grads}`);
    const result = await bench({
      size: Number(values.size),
      trainBatch: Number(values.batch),
      inferBatches: values.infer.split(',').map(Number),
      grads,
      trainSeconds: Number(values['train-seconds']),
      inferSeconds: Number(values['infer-seconds']),
      // Written after every measurement, so a run cut short still leaves what it measured.
      onResult: values.out ? (partial) => writeJson(values.out, partial) : undefined,
    });
    if (!values.out) await writeJson(undefined, result);
    return 0;
  }
  if (command === 'train-lite') {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        resume: { type: 'string' },
        backend: { type: 'string', default: 'webgpu' },
        size: { type: 'string', default: '224' },
        epochs: { type: 'string', default: '10' },
        batch: { type: 'string', default: '128' },
        lr: { type: 'string', default: '0.05' },
        momentum: { type: 'string', default: '0.9' },
        'weight-decay': { type: 'string', default: '5e-4' },
        'clip-norm': { type: 'string', default: '5' },
        warmup: { type: 'string', default: '100' },
        'max-minutes': { type: 'string', default: '7' },
        limit: { type: 'string' },
        'eval-limit': { type: 'string', default: '2000' },
        seed: { type: 'string', default: '1' },
        'weights-name': { type: 'string' },
      },
    });
    if (!values.out) throw new RangeError('train-lite needs --out DIR');
    const num = (name: string, v: string, min = 0) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) throw new RangeError(`--${name} must be a number >= ${min}, got ${v}`);
      return n;
    };
    const size = num('size', values.size, 1);
    const { state, weightsPath } = await trainLite({
      backend: values.backend,
      size,
      epochs: num('epochs', values.epochs, 1),
      batch: num('batch', values.batch, 1),
      lr: num('lr', values.lr),
      momentum: num('momentum', values.momentum),
      weightDecay: num('weight-decay', values['weight-decay']),
      clipNorm: num('clip-norm', values['clip-norm']),
      warmupSteps: num('warmup', values.warmup),
      maxMinutes: num('max-minutes', values['max-minutes']),
      limit: values.limit ? num('limit', values.limit, 1) : Infinity,
      evalLimit: num('eval-limit', values['eval-limit'], 1),
      seed: num('seed', values.seed),
      out: values.out,
      ...(values.resume ? { resume: values.resume } : {}),
      weightsName: values['weights-name'] ?? `nin-fmnist-${size}.safetensors`,
    });
    console.error(`[train] done: ${state.globalStep} steps, epoch ${state.epoch}, weights ${weightsPath}`);
    return 0;
  }
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  return main(argv);
}

process.exitCode = await kit(process.argv.slice(2));
