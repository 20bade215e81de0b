import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

let writes = 0;

/**
 * Writes `data` to `path` so that a reader sees the old file or the whole new one, never part of it: the bytes go
 * to a hidden temporary file in the same folder (same file system, so the rename is atomic), which is then
 * renamed over the target. Creates missing folders; on failure removes the temporary file and rethrows.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  // pid + a counter: two processes, or two writes of this one, never share a temporary file.
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${++writes}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
