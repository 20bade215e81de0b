import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atomic-write-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes bytes and text, creating folders, and leaves no temporary file', async () => {
    const path = join(dir, 'a', 'b', 'w.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, 'replaced\n');
    expect(await readFile(path, 'utf8')).toBe('replaced\n');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['w.bin']);
  });

  it('keeps every concurrent write whole: the file ends as one of them', async () => {
    const path = join(dir, 'w.txt');
    const texts = Array.from({ length: 8 }, (_, i) => String(i).repeat(10_000));
    await Promise.all(texts.map((t) => writeFileAtomic(path, t)));
    expect(texts).toContain(await readFile(path, 'utf8'));
    expect(await readdir(dir)).toEqual(['w.txt']);
  });

  it('leaves the old file in place and cleans up when the rename fails', async () => {
    const path = join(dir, 'target');
    await mkdir(join(path, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['target']);
    expect(await readdir(path)).toEqual(['inside']);
  });
});
