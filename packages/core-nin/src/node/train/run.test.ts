import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D2L_RECIPE, type TrainingRecipe } from '../../training/recipe.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { runTraining, type TrainRunOptions } from './run.ts';

const RECIPE: TrainingRecipe = { ...D2L_RECIPE, inputSize: 67, batchSize: 8, epochs: 2, learningRate: 0.05, momentum: 0.9, limit: 16, seed: 1 };

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
      recipe: { optimizer: 'sgd', momentum: 0.9, batchSize: 8, epochs: 2, epochsRun: 2, learningRate: 0.05, dropout: 0.5 },
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

  it('--resume without a checkpoint is an error that names the path', async () => {
    await expect(runTraining(options('none', { resume: true }))).rejects.toThrow(/no checkpoint at .*nin-fmnist-67\.ckpt\.safetensors/);
  });
});
