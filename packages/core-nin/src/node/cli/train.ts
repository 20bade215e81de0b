import { parseArgs } from 'node:util';
import { CliUsageError, type CliCommand } from './command.ts';
import { D2L_RECIPE, checkRecipe, type TrainingRecipe } from '../../training/recipe.ts';
import { assertInputSize } from '../../model/architecture.ts';
import { WEIGHTS_DIR } from '../weights-file.ts';

const usage = `usage: nin train [options]

The d2l recipe by default (plain SGD lr 0.1, batch 128, 10 epochs, input 224, Xavier-uniform init, dropout 0.5).
A checkpoint is written after every epoch and on Ctrl-C; --resume continues from it exactly.

options:
  --size N            input size in px (default ${D2L_RECIPE.inputSize}; >= 67)
  --epochs N          epochs (default ${D2L_RECIPE.epochs})
  --batch N           batch size (default ${D2L_RECIPE.batchSize})
  --lr X              (peak) learning rate (default ${D2L_RECIPE.learningRate})
  --optimizer O       sgd (default) | adamw (PyTorch's AdamW, betas 0.9/0.999)
  --momentum X        SGD momentum, PyTorch semantics (default 0)
  --weight-decay X    weight decay: L2 for sgd, decoupled for adamw (default 0)
  --decay-scope S     all (default) | weights (conv weights only, never biases)
  --schedule S        constant | cosine | onecycle (PyTorch's OneCycleLR) (default constant)
  --warmup N          linear warm-up steps (default 0)
  --init I            xavier-uniform (d2l, default) | he-normal | he-normal-live-head (he-normal, last conv
                      at weights 0 and bias +1 so that no logit starts dead)
  --seed N            seed for init, shuffling and dropout (default 0)
  --limit N           train on the first N training images only (default: all 60000)
  --micro-batch N     compute each batch's gradient N images at a time and sum (default: the whole batch)
  --clip-norm X       clip the batch gradient to global L2 norm X (default: no clipping)
  --resize R          cpu (PIL's bilinear, as nin eval; default) | device (training batches go up as 28x28 and are
                      resized on the backend: for a GPU; testing always resizes as nin eval)
  --augment-shift N   shift each training image by up to N px per axis, seeded (default 0)
  --augment-flip      mirror each training image left-right with probability 1/2, seeded
  --teacher W         distil from the weights file W (its logits for the training images are cached)
  --distill-weight A  weight of the teacher's soft targets in the loss (default 0.5; needs --teacher)
  --temperature T     distillation temperature (default 4; needs --teacher)
  --teacher-cache D   where the teacher's logits are cached (default checkpoints/teacher-logits)
  --workers N         compute each batch's gradient on N threads, one core each (default 1)
  --backend B         auto | webgpu | tensorflow | wasm[:simd|:plain] | cpu (default auto: fastest available)
  --out DIR           weights directory (default packages/core-nin/weights)
  --results DIR       epoch log and curve directory (default results/training)
  --checkpoint-dir D  checkpoint directory (default checkpoints)
  --data-dir DIR      Fashion-MNIST directory (default $FASHION_MNIST_DIR, ./data/fashion-mnist, Debian's path)
  --resume            continue from the checkpoint (its recipe is used; --epochs N there extends the run to N)
  --max-minutes M     do not start an epoch that would end after M minutes; stop (checkpointed) at M at the latest
  --fit-schedule      with --max-minutes: time the first steps, then end the schedule (and the run, with a test
                      pass, weights and checkpoint) at the last step that fits the budget (recorded in the recipe)
  --test-limit N      test on the first N test images only (smoke runs; default all 10000)
  --test-at-end       test only after the last epoch (default: after every epoch)
  --no-int8           skip the int8 copy of the weights (written and tested after every epoch)
  --no-progress       no progress bars, one line per epoch`;

function number(value: string | undefined, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new CliUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  return n;
}

export const command: CliCommand = {
  summary: 'Train NiN on Fashion-MNIST (resumable; writes weights with a manifest, an epoch log and a curve)',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        size: { type: 'string' },
        epochs: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        'weight-decay': { type: 'string' },
        schedule: { type: 'string' },
        warmup: { type: 'string' },
        seed: { type: 'string' },
        init: { type: 'string' },
        limit: { type: 'string' },
        optimizer: { type: 'string' },
        'decay-scope': { type: 'string' },
        'micro-batch': { type: 'string' },
        'clip-norm': { type: 'string' },
        resize: { type: 'string' },
        'fit-schedule': { type: 'boolean', default: false },
        'augment-shift': { type: 'string' },
        'augment-flip': { type: 'boolean', default: false },
        teacher: { type: 'string' },
        'distill-weight': { type: 'string' },
        temperature: { type: 'string' },
        'teacher-cache': { type: 'string' },
        workers: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        out: { type: 'string' },
        results: { type: 'string', default: 'results/training' },
        'checkpoint-dir': { type: 'string', default: 'checkpoints' },
        'data-dir': { type: 'string' },
        resume: { type: 'boolean', default: false },
        'max-minutes': { type: 'string' },
        'test-limit': { type: 'string' },
        'test-at-end': { type: 'boolean', default: false },
        'no-int8': { type: 'boolean', default: false },
        'no-progress': { type: 'boolean', default: false },
      },
    });
    const recipe: TrainingRecipe = {
      inputSize: number(values.size, 'size', D2L_RECIPE.inputSize, true),
      epochs: number(values.epochs, 'epochs', D2L_RECIPE.epochs, true),
      batchSize: number(values.batch, 'batch', D2L_RECIPE.batchSize, true),
      learningRate: number(values.lr, 'lr', D2L_RECIPE.learningRate),
      momentum: number(values.momentum, 'momentum', D2L_RECIPE.momentum),
      optimizer: (values.optimizer ?? D2L_RECIPE.optimizer) as TrainingRecipe['optimizer'],
      weightDecay: number(values['weight-decay'], 'weight-decay', D2L_RECIPE.weightDecay),
      weightDecayScope: (values['decay-scope'] ?? D2L_RECIPE.weightDecayScope) as TrainingRecipe['weightDecayScope'],
      schedule: (values.schedule ?? D2L_RECIPE.schedule) as TrainingRecipe['schedule'],
      warmupSteps: number(values.warmup, 'warmup', D2L_RECIPE.warmupSteps, true),
      init: (values.init ?? D2L_RECIPE.init) as TrainingRecipe['init'],
      seed: number(values.seed, 'seed', D2L_RECIPE.seed, true),
      limit: number(values.limit, 'limit', D2L_RECIPE.limit, true),
      microBatch: number(values['micro-batch'], 'micro-batch', D2L_RECIPE.microBatch, true),
      clipNorm: number(values['clip-norm'], 'clip-norm', D2L_RECIPE.clipNorm),
      augment: { shift: number(values['augment-shift'], 'augment-shift', 0, true), flip: values['augment-flip']! },
      // Filled in from the teacher's manifest by runTraining.
      distill: null,
      resize: (values.resize ?? D2L_RECIPE.resize) as TrainingRecipe['resize'],
    };
    if (values.teacher === undefined && (values['distill-weight'] !== undefined || values.temperature !== undefined)) throw new CliUsageError('--distill-weight and --temperature need --teacher W');
    const distill =
      values.teacher === undefined
        ? undefined
        : { teacherPath: values.teacher, weight: number(values['distill-weight'], 'distill-weight', 0.5), temperature: number(values.temperature, 'temperature', 4) };
    const workers = number(values.workers, 'workers', 1, true);
    if (workers < 1) throw new CliUsageError(`--workers must be at least 1, got ${workers}`);
    try {
      assertInputSize(recipe.inputSize);
      checkRecipe(distill ? { ...recipe, distill: { teacher: distill.teacherPath, teacherSha256: '', teacherInputSize: 0, weight: distill.weight, temperature: distill.temperature } } : recipe);
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
    const maxMinutes = values['max-minutes'] === undefined ? undefined : number(values['max-minutes'], 'max-minutes', 0);
    if (maxMinutes !== undefined && !(maxMinutes > 0)) throw new CliUsageError('--max-minutes must be > 0');
    if (values['fit-schedule'] && maxMinutes === undefined) throw new CliUsageError('--fit-schedule needs --max-minutes M (the budget it fits the schedule to)');
    const dataDir = values['data-dir'] ?? process.env.FASHION_MNIST_DIR;
    // Heavy imports (tfjs, backends, gradients) only once the arguments are known to be good.
    const { runTraining } = await import('../train/run.ts');
    const result = await runTraining({
      recipe,
      backend: values.backend!,
      outDir: values.out ?? WEIGHTS_DIR,
      resultsDir: values.results!,
      checkpointDir: values['checkpoint-dir']!,
      resume: values.resume!,
      distill,
      teacherCacheDir: values['teacher-cache'],
      workers,
      // --epochs with --resume may only grow the plan; the rest of the recipe comes from the checkpoint.
      extendToEpochs: values.resume && values.epochs !== undefined ? recipe.epochs : undefined,
      maxMinutes,
      fitSchedule: values['fit-schedule']!,
      dataDir,
      int8: !values['no-int8'],
      progress: !values['no-progress'],
      testEveryEpoch: !values['test-at-end'],
      testLimit: values['test-limit'] === undefined ? undefined : number(values['test-limit'], 'test-limit', 0, true),
      argv: args,
    });
    const last = result.history.at(-1);
    console.log(
      JSON.stringify({
        status: result.status,
        epochs: result.history.length,
        testAccuracy: last?.testAccuracy ?? null,
        weights: result.weightsPath,
        int8Weights: result.int8Path,
        checkpoint: result.checkpointPath,
        backend: result.backend.variant ? `${result.backend.name}:${result.backend.variant}` : result.backend.name,
      }),
    );
    return result.status === 'interrupted' ? 130 : 0;
  },
};
