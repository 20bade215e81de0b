import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../../training/recipe.ts';
import { smallRecipe } from '../../training/test-support.ts';
import { largestActivationBytes } from '../../training/micro-batch.ts';
import { NinTrainer } from '../../training/trainer.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { runTraining, type TrainRunOptions } from './run.ts';

const RECIPE = smallRecipe(16, 1);

describe('runTraining', () => {
  let dir: string;
  const options = (sub: string, extra: Partial<TrainRunOptions> = {}): TrainRunOptions => ({
    recipe: RECIPE,
    backend: 'wasm:simd',
    outDir: join(dir, sub, 'weights'),
    resultsDir: join(dir, sub, 'results'),
    checkpointDir: join(dir, sub, 'checkpoints'),
    resume: false,
    int8: true,
    progress: false,
    testEveryEpoch: true,
    testLimit: 40,
    log: () => {},
    ...extra,
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nin-train-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes weights with the manifest, an epoch log and a curve; a stopped run resumed gives the same weights', async () => {
    const whole = await runTraining(options('whole'));
    expect(whole.status).toBe('finished');
    expect(whole.history).toHaveLength(2);

    const weights = await readNinWeightsFile(whole.weightsPath!);
    expect(weights.manifest).toMatchObject({
      inputSize: 67,
      storage: 'float32',
      recipe: {
        optimizer: 'sgd',
        momentum: 0.9,
        batchSize: 8,
        epochs: 2,
        epochsRun: 2,
        learningRate: 0.05,
        dropout: 0.5,
      },
      accuracy: { test: whole.history[1].testAccuracy, train: whole.history[1].trainAccuracy },
      provenance: { backend: 'wasm:simd', trainer: expect.stringContaining('nin train') },
    });
    expect(weights.manifest!.accuracy!.perClass).toHaveLength(10);
    expect(weights.manifest!.accuracy!.evaluatedOn).toMatch(/first 40 images/);
    expect(weights.manifest!.provenance!.wallSeconds).toBeGreaterThanOrEqual(0);
    const int8 = await readNinWeightsFile(whole.int8Path!);
    expect(int8.manifest).toMatchObject({ storage: 'int8', inputSize: 67 });

    const log = JSON.parse(await readFile(join(dir, 'whole', 'results', 'training-67.json'), 'utf8'));
    expect(log.epochs).toHaveLength(2);
    expect(log.final).toMatchObject({ status: 'finished', epochsRun: 2 });
    const svg = await readFile(join(dir, 'whole', 'results', 'training-67.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('test accuracy');

    // Stopped after 3 steps (inside epoch 2: 2 steps per epoch), then resumed.
    const stopped = await runTraining(options('split', { stopAfterSteps: 3 }));
    expect(stopped.status).toBe('stopped');
    const resumed = await runTraining(options('split', { resume: true, recipe: { ...RECIPE, epochs: 99 } }));
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((r) => r.testAccuracy)).toEqual(whole.history.map((r) => r.testAccuracy));
    const again = await readNinWeightsFile(resumed.weightsPath!);
    for (const [name, t] of weights.stateDict) expect(again.stateDict.get(name)!.data, name).toEqual(t.data);
    expect(again.manifest!.tensorsSha256).toBe(weights.manifest!.tensorsSha256);
  });

  it(
    'fits the schedule to the time budget (fake clock) and ends there mid-epoch with a test pass, weights and a ' +
      'checkpoint; resizes on the device, micro-batched under a binding limit',
    async () => {
      // Every read of the clock advances it by a second: a step reads it four times (deadline, its own start and end,
      // the fit's timing), so the fit measures 4 s per step, which is what a step costs on this clock.
      let ms = 0;
      const lines: string[] = [];
      process.env.NIN_MAX_BINDING_BYTES = String(4 * largestActivationBytes(67));
      let result;
      try {
        result = await runTraining(
          options('fit', {
            recipe: { ...RECIPE, limit: 24, epochs: 3, schedule: 'cosine', resize: 'device' }, // 3 steps per epoch, 9 planned
            int8: false,
            testLimit: 16,
            // 46 s: 32 s are left at the fit, for 4 more steps (16 s), the end of epoch 2 and the final pass (2 x 7 s)
            maxMinutes: 0.77,
            fitSchedule: true,
            fitTiming: { skip: 1, timed: 2 },
            now: () => (ms += 1000),
            log: (line) => lines.push(line),
          }),
        );
      } finally {
        delete process.env.NIN_MAX_BINDING_BYTES;
      }
      expect(lines.join('\n')).toMatch(/batch 8 runs as micro-batches of 4/);
      expect(lines.join('\n')).toMatch(/--fit-schedule: 4\.000 s per step/);
      expect(result.status).toBe('finished');
      const weights = await readNinWeightsFile(result.weightsPath!);
      const recipe = weights.manifest!.recipe as unknown as TrainingRecipe & { epochsRun: number };
      expect(recipe.resize).toBe('device');
      expect(weights.manifest!.provenance).toMatchObject({
        microBatch: 4,
        maxStorageBufferBindingSize: 4 * largestActivationBytes(67),
      });
      expect(recipe.scheduleFits).toHaveLength(1);
      const fit = recipe.scheduleFits![0];
      expect(fit).toMatchObject({ atStep: 3, epochs: 3, stepSeconds: 4, totalSteps: 7 });
      // Mid-epoch (step 1 of epoch 3): the last, partial epoch is tested, its learning rate near the end of a cosine
      // over 7 steps, and the weights, the log and the checkpoint say where it ended.
      const last = result.history.at(-1)!;
      expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 2 + 1 / 3]);
      expect(last.fraction).toBeCloseTo(1 / 3, 10);
      expect(last.learningRate).toBeCloseTo(0.025 * (1 + Math.cos((Math.PI * 6) / 7)), 10);
      expect(last.testAccuracy).not.toBeNull();
      expect(recipe.epochsRun).toBeCloseTo(fit.totalSteps / 3, 4);
      expect(weights.manifest!.accuracy!.test).toBe(last.testAccuracy);
      const log = JSON.parse(await readFile(join(dir, 'fit', 'results', 'training-67.json'), 'utf8'));
      expect(log.final).toMatchObject({ status: 'finished', epochsRun: recipe.epochsRun });
      expect(log.recipe.scheduleFits).toEqual([fit]);
      const trainer = NinTrainer.fromCheckpoint(new Uint8Array(await readFile(result.checkpointPath)));
      expect(trainer.state.globalStep).toBe(fit.totalSteps);
      expect(trainer.done).toBe(true);
      trainer.dispose();
      // Resumed as it is, the run has nothing left to do and says how to extend it.
      const again: string[] = [];
      const resumed = await runTraining(options('fit', { resume: true, int8: false, log: (line) => again.push(line) }));
      expect(again.join('\n')).toMatch(
        /run is complete \(its schedule was fitted to end at step 7\): --epochs N with N > 3 extends it/,
      );
      expect(resumed.history).toHaveLength(3);
    },
  );

  it('--resume without a checkpoint is an error that names the path', async () => {
    await expect(runTraining(options('none', { resume: true }))).rejects.toThrow(
      /no checkpoint at .*nin-fmnist-67\.ckpt\.safetensors/,
    );
  });
});
