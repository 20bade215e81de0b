// Setup the bench's tests share: the tiny model on disk for a file's tests, and a smoke-profile run request.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import type { LabelledImages } from '@nin-bench/core-nin';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { PROFILES } from '../src/plan/profiles.ts';
import { silentProgress } from '../src/progress.ts';
import type { BenchRequest } from '../src/run/request.ts';
import { writeTinyModel } from './fixtures/tiny-model.ts';

export type TinyModel = Awaited<ReturnType<typeof writeTinyModel>>;

/**
 * The tiny model (fixtures/tiny-model.ts) for the calling file's tests: written before them, its folder removed
 * after. Returns the model's getter (the model exists once the tests run).
 */
export function useTinyModel(): () => TinyModel {
  let model: TinyModel | undefined;
  beforeAll(async () => {
    model = await writeTinyModel();
  });
  afterAll(async () => {
    if (model) await rm(model.dir, { recursive: true, force: true });
  });
  return () => {
    if (!model) throw new Error('the tiny model is written in beforeAll: ask for it inside a test');
    return model;
  };
}

let testSet: Promise<LabelledImages> | undefined;

/**
 * A run of the smoke profile on `model`'s weights and the real Fashion-MNIST test set, silent, with the rows and
 * scenarios (and anything else) of `request`.
 */
export async function smokeRequest(
  model: TinyModel,
  request: Pick<BenchRequest, 'entries' | 'scenarios'> & Partial<BenchRequest>,
): Promise<BenchRequest> {
  testSet ??= loadFashionMnist('test');
  return {
    profile: PROFILES.smoke,
    weightsPath: model.weightsPath,
    testSet: await testSet,
    command: 'test',
    progress: silentProgress,
    ...request,
  };
}
