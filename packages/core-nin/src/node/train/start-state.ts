import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { currentFit } from '../../training/recipe.ts';
import type { NinTrainer } from '../../training/trainer.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import type { TrainRunOptions } from './options.ts';

/**
 * The run's trainer: resumed from the checkpoint at `checkpointPath` (its recipe wins; `extendToEpochs` may plan
 * more epochs), or built fresh from the options' recipe (with the teacher's identity when distilling).
 */
export async function startTrainer(
  options: TrainRunOptions,
  checkpointPath: string,
  log: (line: string) => void,
): Promise<NinTrainer> {
  // Imported only when a run starts (after its backend is active): importing `nin train` loads no trainer.
  const { NinTrainer } = await import('../../training/trainer.ts');
  if (options.resume) return resumeTrainer(NinTrainer, options, checkpointPath, log);
  return NinTrainer.create(await freshRecipe(options));
}

async function resumeTrainer(
  Trainer: typeof NinTrainer,
  options: TrainRunOptions,
  checkpointPath: string,
  log: (line: string) => void,
): Promise<NinTrainer> {
  if (!existsSync(checkpointPath)) throw new RangeError(`--resume: no checkpoint at ${checkpointPath}`);
  const trainer = Trainer.fromCheckpoint(new Uint8Array(await readFile(checkpointPath)));
  const s = trainer.state;
  if (options.extendToEpochs !== undefined && options.extendToEpochs > trainer.recipe.epochs) {
    log(
      `extending the run from ${trainer.recipe.epochs} to ${options.extendToEpochs} epochs (schedule recomputed from global step ${s.globalStep})`,
    );
    trainer.extendTo(options.extendToEpochs);
  }
  log(
    `resuming from ${checkpointPath}: epoch ${s.completedEpochs + 1}, step ${s.current.step} (global step ${s.globalStep})`,
  );
  if (trainer.done) {
    const fit = currentFit(trainer.recipe);
    log(
      `the checkpoint's run is complete ` +
        `(${fit ? `its schedule was fitted to end at step ${fit.totalSteps}` : `all ${trainer.recipe.epochs} epochs`}): ` +
        `--epochs N with N > ${trainer.recipe.epochs} extends it`,
    );
  }
  return trainer;
}

/** The options' recipe, with the teacher it distils from named and fingerprinted. */
async function freshRecipe(options: TrainRunOptions) {
  const recipe = options.recipe;
  if (!options.distill) return recipe;
  const teacher = await readNinWeightsFile(options.distill.teacherPath);
  if (!teacher.manifest)
    throw new RangeError(
      `--teacher ${options.distill.teacherPath}: the teacher needs a manifest (input size, tensor hash)`,
    );
  return {
    ...recipe,
    distill: {
      teacher: options.distill.teacherPath,
      teacherSha256: teacher.manifest.tensorsSha256,
      teacherInputSize: teacher.manifest.inputSize,
      weight: options.distill.weight,
      temperature: options.distill.temperature,
    },
  };
}
