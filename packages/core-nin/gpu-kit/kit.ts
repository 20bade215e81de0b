// Entry of the GPU kit's bundle (gpu-kit/bundle.mjs -> .kit/app/nin-kit.mjs): `probe` and `bench` are the kit's
// own measurements; every other command is the nin CLI itself (training is `nin train`, testing `nin eval`),
// bundled so that a machine with a Node binary and no node_modules can run it.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { parseArgs } from 'node:util';
import { main } from '../src/node/cli/main.ts';
import { bench, probe, writeJson } from './measure.ts';
import type { ConvFilterGradImpl } from '../src/node/webgpu-conv-filter-grad.ts';

const USAGE = `usage: nin-kit probe [--size 224] [--batch 2] [--out F.json]
       nin-kit bench [--size 224] [--batch 128] [--infer 1,32,128] [--grads matmul,tfjs] [--train-seconds 8] [--infer-seconds 3] [--out F.json]
       nin-kit <nin command> ...   (train, eval, predict, export-onnx: see nin --help; run.sh trains with \`nin train\`)`;

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
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  return main(argv);
}

process.exitCode = await kit(process.argv.slice(2));
