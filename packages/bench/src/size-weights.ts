import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeNinWeights, type NinManifest, type StateDict } from '@nin-bench/core-nin/weights';
import type { TrainingRecipe } from '@nin-bench/core-nin/training';

/** One weights file as the bench read it. */
export interface WeightsFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly stateDict: StateDict;
  readonly manifest: NinManifest | null;
  readonly sha256: string;
}

export async function readWeightsFile(path: string): Promise<WeightsFile> {
  const bytes = new Uint8Array(await readFile(path));
  const { stateDict, manifest } = await decodeNinWeights(bytes);
  return { path, bytes, stateDict, manifest, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The file the trainer writes for `size`, beside `weightsPath`: the name comes from the trainer's own `fileStem`
 * (`nin train` writes `<stem>.safetensors`, and `nin export-onnx --int8` its `<stem>.int8.onnx` beside it), so
 * the bench and the trainer cannot disagree on it.
 */
export async function trainedWeightsPathFor(weightsPath: string, size: number): Promise<string> {
  const { fileStem } = await import('@nin-bench/core-nin/node');
  // fileStem reads only the recipe's input size.
  return join(dirname(weightsPath), `${fileStem({ inputSize: size } as TrainingRecipe)}.safetensors`);
}

/**
 * The weights to run at each input size: the file trained for that size when there is one beside the bench's
 * weights (its manifest must say that size), else the bench's weights themselves (trained at another size: then
 * only speed and agreement mean something at this size, and the report says so). Each file is read once.
 */
export function sizeWeightsSource(weightsPath: string): (size: number) => Promise<WeightsFile> {
  const read = new Map<string, Promise<WeightsFile>>();
  const once = (path: string) => {
    let hit = read.get(path);
    if (!hit) {
      hit = readWeightsFile(path);
      read.set(path, hit);
    }
    return hit;
  };
  return async (size) => {
    const own = await trainedWeightsPathFor(weightsPath, size);
    if (own !== weightsPath && existsSync(own)) {
      const weights = await once(own);
      if (weights.manifest?.inputSize === size) return weights;
    }
    return once(weightsPath);
  };
}
