import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '@nin-bench/core-nin/node';
import { writeTinyModel } from '../test/fixtures/tiny-model.ts';
import { runBench } from './orchestrate.ts';
import type { CatalogEntry } from './plan/catalog.ts';
import { PROFILES } from './plan/profiles.ts';
import { silentProgress } from './progress.ts';
import type { BenchResults } from './results/schema.ts';

const fixture = (name: string): CatalogEntry => ({
  id: `fixture-${name}`,
  label: `fixture ${name}`,
  engine: 'fixture',
  runner: `../../test/fixtures/runners/${name}.ts`,
  options: { msPerImage: 5 },
});

let model: Awaited<ReturnType<typeof writeTinyModel>>;
beforeAll(async () => {
  model = await writeTinyModel();
});
afterAll(async () => {
  await rm(model.dir, { recursive: true, force: true });
});

describe('runBench', () => {
  it('runs each entry in its own process, keeps going past a crash, and checkpoints after every row', async () => {
    const checkpoints: BenchResults[] = [];
    const results = await runBench({
      profile: PROFILES.smoke,
      entries: [
        { id: 'never', label: 'never here', engine: 'fixture', runner: 'none.ts', options: {}, unavailable: 'not in this universe' },
        fixture('crash'),
        fixture('slow'),
      ],
      scenarios: ['cold-start', 'single-stream', 'offline', 'agreement', 'memory'],
      weightsPath: model.weightsPath,
      testSet: await loadFashionMnist('test'),
      command: 'test',
      progress: silentProgress,
      checkpoint: async (partial) => {
        checkpoints.push(partial);
      },
    });
    expect(checkpoints.map((c) => c.runs.length)).toEqual([1, 2, 3]);
    expect(results.runs.map((r) => [r.backend, r.status])).toEqual([
      ['never', 'unavailable'],
      ['fixture-crash', 'partial'],
      ['fixture-slow', 'ok'],
    ]);
    expect(results.runs[1].errors?.join()).toMatch(/exited with code 134 during offline \(batch 4\)/);
    // no reference ran, so accuracy is there but no logit comparison
    expect(results.runs[2].agreement).toMatchObject({ images: PROFILES.smoke.agreement.images, maxAbsLogitDiff: null });
    if (process.platform === 'linux') expect(results.runs[2].otherCores).toBeGreaterThanOrEqual(0);
    expect(results.settings.sizes).toEqual([model.size]); // the size from the weights' manifest
    expect(results.model.multiplyAdds[String(model.size)]).toBe(53_940_520);
  });
});
