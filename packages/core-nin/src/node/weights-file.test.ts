import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialStateDict } from '../../test/fixtures/weights.ts';
import { WeightsError } from '../weights/errors.ts';
import {
  DEFAULT_WEIGHTS_FILES,
  WEIGHTS_DIR,
  defaultWeightsPath,
  readNinWeightsFile,
  writeNinWeightsFile,
} from './weights-file.ts';

describe('weights files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weights-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes atomically into a new directory and reads back the same tensors and manifest', async () => {
    const sd = initialStateDict(3);
    const path = join(dir, 'nested', 'deeper', 'w.safetensors');
    await writeNinWeightsFile(path, sd, 'float16', { inputSize: 96, provenance: { by: 'test' } });
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['w.safetensors']); // no temp file left behind
    const file = await readNinWeightsFile(path);
    expect(file.path).toBe(path);
    expect(file.manifest).toMatchObject({ storage: 'float16', inputSize: 96, provenance: { by: 'test' } });
    expect(Buffer.from(file.bytes).equals(await readFile(path))).toBe(true);
    expect(file.stateDict.get('0.0.bias')!.data[5]).toBeCloseTo(sd.get('0.0.bias')!.data[5], 3);

    // Overwriting replaces the file whole.
    await writeNinWeightsFile(path, sd, 'float32', { inputSize: 224 });
    expect((await readNinWeightsFile(path)).manifest).toMatchObject({ storage: 'float32', inputSize: 224 });
  });

  it('leaves the old file in place when the new one cannot be encoded', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeNinWeightsFile(path, initialStateDict(1), 'int8', { inputSize: 96 });
    const before = await readFile(path);
    const broken = new Map(initialStateDict(1));
    broken.delete('2.0.bias');
    await expect(writeNinWeightsFile(path, broken, 'int8', { inputSize: 96 })).rejects.toThrow(
      'tensor "2.0.bias" is missing',
    );
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).not.toContain(expect.stringMatching(/\.tmp$/));
  });

  it('names the path for a missing file, a directory and a corrupt file', async () => {
    await expect(readNinWeightsFile(join(dir, 'nope.safetensors'))).rejects.toThrow(
      new WeightsError(`${join(dir, 'nope.safetensors')}: no such weights file`),
    );
    await mkdir(join(dir, 'adir'));
    await expect(readNinWeightsFile(join(dir, 'adir'))).rejects.toThrow(
      `${join(dir, 'adir')}: is a directory, not a weights file`,
    );
    await writeFile(join(dir, 'junk.safetensors'), 'hello');
    await expect(readNinWeightsFile(join(dir, 'junk.safetensors'))).rejects.toThrow(
      `${join(dir, 'junk.safetensors')}: not a safetensors file: 5 bytes, the 8-byte header length is missing`,
    );
  });

  it('defaults to the trained weights in packages/core-nin/weights, or null before training', () => {
    expect(WEIGHTS_DIR).toMatch(/packages[/\\]core-nin[/\\]weights$/);
    const present = DEFAULT_WEIGHTS_FILES.find((f) => existsSync(join(WEIGHTS_DIR, f)));
    expect(defaultWeightsPath()).toBe(present ? join(WEIGHTS_DIR, present) : null);
  });
});
