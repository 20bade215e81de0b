import { UsageError, defineCommand, option } from '../cli-args.ts';
import {
  D2L_RECIPE,
  OPTIMIZERS,
  RESIZE_MODES,
  SCHEDULES,
  checkRecipe,
  type TrainingRecipe,
  type WeightDecayScope,
} from '../../training/recipe.ts';
import { NIN_INITS } from '../../training/init.ts';
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

const DECAY_SCOPES: readonly WeightDecayScope[] = ['all', 'weights'];

export const command = defineCommand({
  usage,
  options: {
    // Ranges the recipe states (epochs >= 1, momentum in [0, 1), ...) are checked by checkRecipe, in its words.
    size: option.inputSize().default(D2L_RECIPE.inputSize),
    epochs: option.integer(),
    batch: option.integer().default(D2L_RECIPE.batchSize),
    lr: option.number().default(D2L_RECIPE.learningRate),
    momentum: option.number().default(D2L_RECIPE.momentum),
    'weight-decay': option.number().default(D2L_RECIPE.weightDecay),
    schedule: option.choice(SCHEDULES).default(D2L_RECIPE.schedule),
    warmup: option.integer().default(D2L_RECIPE.warmupSteps),
    seed: option.integer().default(D2L_RECIPE.seed),
    init: option.choice(NIN_INITS).default(D2L_RECIPE.init),
    limit: option.integer().default(D2L_RECIPE.limit),
    optimizer: option.choice(OPTIMIZERS).default(D2L_RECIPE.optimizer),
    'decay-scope': option.choice(DECAY_SCOPES).default(D2L_RECIPE.weightDecayScope),
    'micro-batch': option.integer().default(D2L_RECIPE.microBatch),
    'clip-norm': option.number().default(D2L_RECIPE.clipNorm),
    resize: option.choice(RESIZE_MODES).default(D2L_RECIPE.resize),
    'fit-schedule': option.boolean(),
    'augment-shift': option.integer().default(0),
    'augment-flip': option.boolean(),
    teacher: option.string(),
    'distill-weight': option.number(),
    temperature: option.number(),
    'teacher-cache': option.string(),
    workers: option.integer({ min: 1 }).default(1),
    backend: option.string().default('auto'),
    out: option.string().default(WEIGHTS_DIR),
    results: option.string().default('results/training'),
    'checkpoint-dir': option.string().default('checkpoints'),
    'data-dir': option.string(),
    resume: option.boolean(),
    'max-minutes': option.number({ above: 0 }),
    'test-limit': option.integer({ min: 1 }),
    'test-at-end': option.boolean(),
    'no-int8': option.boolean(),
    'no-progress': option.boolean(),
  },
  async run({ values, args }) {
    const recipe: TrainingRecipe = {
      inputSize: values.size,
      epochs: values.epochs ?? D2L_RECIPE.epochs,
      batchSize: values.batch,
      learningRate: values.lr,
      momentum: values.momentum,
      optimizer: values.optimizer,
      weightDecay: values['weight-decay'],
      weightDecayScope: values['decay-scope'],
      schedule: values.schedule,
      warmupSteps: values.warmup,
      init: values.init,
      seed: values.seed,
      limit: values.limit,
      microBatch: values['micro-batch'],
      clipNorm: values['clip-norm'],
      augment: { shift: values['augment-shift'], flip: values['augment-flip'] },
      // Filled in from the teacher's manifest by runTraining.
      distill: null,
      resize: values.resize,
    };
    if (values.teacher === undefined && (values['distill-weight'] !== undefined || values.temperature !== undefined))
      throw new UsageError('--distill-weight and --temperature need --teacher W');
    const distill =
      values.teacher === undefined
        ? undefined
        : {
            teacherPath: values.teacher,
            weight: values['distill-weight'] ?? 0.5,
            temperature: values.temperature ?? 4,
          };
    try {
      checkRecipe(
        distill
          ? {
              ...recipe,
              distill: {
                teacher: distill.teacherPath,
                teacherSha256: '',
                teacherInputSize: 0,
                weight: distill.weight,
                temperature: distill.temperature,
              },
            }
          : recipe,
      );
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const maxMinutes = values['max-minutes'];
    if (values['fit-schedule'] && maxMinutes === undefined)
      throw new UsageError('--fit-schedule needs --max-minutes M (the budget it fits the schedule to)');
    const dataDir = values['data-dir'] ?? process.env.FASHION_MNIST_DIR;
    // Heavy imports (tfjs, backends, gradients) only once the arguments are known to be good.
    const { runTraining } = await import('../train/run.ts');
    const result = await runTraining({
      recipe,
      backend: values.backend,
      outDir: values.out,
      resultsDir: values.results,
      checkpointDir: values['checkpoint-dir'],
      resume: values.resume,
      distill,
      teacherCacheDir: values['teacher-cache'],
      workers: values.workers,
      // --epochs with --resume may only grow the plan; the rest of the recipe comes from the checkpoint.
      extendToEpochs: values.resume && values.epochs !== undefined ? recipe.epochs : undefined,
      maxMinutes,
      fitSchedule: values['fit-schedule'],
      dataDir,
      int8: !values['no-int8'],
      progress: !values['no-progress'],
      testEveryEpoch: !values['test-at-end'],
      testLimit: values['test-limit'],
      argv: [...args],
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
});
