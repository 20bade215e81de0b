import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeightsError } from '../weights/errors.ts';
import { weightFileName } from '../weights/file-name.ts';
import { writeFileAtomic } from './atomic-write.ts';
import type { ManifestDescription, NinManifest, WeightStorage } from '../weights/manifest.ts';
import { decodeNinWeights, encodeNinWeights, type StateDict } from '../weights/state-dict.ts';

/** packages/core-nin/weights: where training writes and everything else looks by default. */
export const WEIGHTS_DIR = fileURLToPath(new URL('../../weights', import.meta.url));

/** Preference order for the default weights: the full-size model if one was trained, else the 96 px one. */
export const DEFAULT_WEIGHTS_FILES: readonly string[] = [weightFileName(224), weightFileName(96)];

/** The trained weights to use when none are named, or null when nothing has been trained yet. */
export function defaultWeightsPath(): string | null {
  for (const file of DEFAULT_WEIGHTS_FILES) {
    const path = join(WEIGHTS_DIR, file);
    if (existsSync(path)) return path;
  }
  return null;
}

/** `path` when one is named (`--weights F`), else the trained weights; without either, says how to get some. */
export function weightsPathOrDefault(path: string | undefined): string {
  if (path !== undefined) return path;
  const found = defaultWeightsPath();
  if (found === null)
    throw new WeightsError(
      `no trained weights in ${WEIGHTS_DIR}: train them with \`npm run train\` (nin train), or pass --weights F.safetensors`,
    );
  return found;
}

export interface NinWeightsFile {
  readonly stateDict: StateDict;
  /** null for a file without our manifest */
  readonly manifest: NinManifest | null;
  /** the file as read (for hashing, uploading, or handing to an engine) */
  readonly bytes: Uint8Array;
  /** absolute path */
  readonly path: string;
}

/** Reads and verifies a weights file; every failure is a WeightsError that starts with the path. */
export async function readNinWeightsFile(path: string): Promise<NinWeightsFile> {
  const absolute = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(absolute));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WeightsError(`${absolute}: no such weights file`);
    if (code === 'EISDIR') throw new WeightsError(`${absolute}: is a directory, not a weights file`);
    throw new WeightsError(`${absolute}: cannot read (${(e as Error).message})`);
  }
  try {
    const { stateDict, manifest } = await decodeNinWeights(bytes);
    return { stateDict, manifest, bytes, path: absolute };
  } catch (e) {
    if (e instanceof WeightsError) throw new WeightsError(`${absolute}: ${e.message}`);
    throw e;
  }
}

/**
 * Encodes and writes a weights file atomically: the bytes go to a temporary file beside the target, which is
 * then renamed over it, so a crash never leaves a half-written file where a reader expects weights.
 */
export async function writeNinWeightsFile(
  path: string,
  stateDict: StateDict,
  storage: WeightStorage,
  description: ManifestDescription,
): Promise<void> {
  await writeFileAtomic(path, await encodeNinWeights(stateDict, storage, description));
}
