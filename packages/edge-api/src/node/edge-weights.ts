/**
 * The weights each Workers entry bundles, and how the ones that are not committed get made (into
 * packages/edge-api/.weights/, git-ignored):
 *
 * - float16: the trained float32 weights re-encoded as float16 (the trainer commits only float32 and int8);
 * - `--untrained` (development before training): all three precisions from `initialNinWeights(0)`, their manifest
 *   saying they are untrained.
 *
 * CLI: tsx packages/edge-api/scripts/weights.ts [--untrained] [--precision int8|float16|float32]
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hwioToOihw, initialNinWeights, type StateDict, type WeightStorage } from '@nin-bench/core-nin';
import { WEIGHTS_DIR, readNinWeightsFile, writeNinWeightsFile } from '@nin-bench/core-nin/node';

export const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEV_WEIGHTS_DIR = join(EDGE_DIR, '.weights');
/** where the trainer writes (packages/core-nin/weights) */
export const TRAINED_WEIGHTS_DIR = WEIGHTS_DIR;
export const EDGE_INPUT_SIZE = 96;

export function trainedWeightsPath(precision: WeightStorage): string {
  return join(TRAINED_WEIGHTS_DIR, precision === 'float32' ? `nin-fmnist-${EDGE_INPUT_SIZE}.safetensors` : `nin-fmnist-${EDGE_INPUT_SIZE}.${precision}.safetensors`);
}

export function devWeightsPath(precision: WeightStorage): string {
  return join(DEV_WEIGHTS_DIR, `nin-fmnist-${EDGE_INPUT_SIZE}.${precision}.safetensors`);
}

function untrainedStateDict(): StateDict {
  const sd = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of initialNinWeights(0)) {
    if (t.shape.length !== 4) {
      sd.set(name, t);
      continue;
    }
    const [h, w, i, o] = t.shape as [number, number, number, number];
    sd.set(name, { shape: [o, i, h, w], data: hwioToOihw(t.data, [o, i, h, w]) });
  }
  return sd;
}

/** float16 from the trained float32 file (re-encoded, manifest carried over). */
export async function writeFloat16FromTrained(): Promise<string> {
  const source = trainedWeightsPath('float32');
  if (!existsSync(source)) throw new Error(`no trained float32 weights at ${source}: train first (npm run train)`);
  const { stateDict, manifest } = await readNinWeightsFile(source);
  if (!manifest) throw new Error(`${source} has no nin manifest`);
  const { format: _f, model: _m, storage: _s, parameterCount: _p, classes: _c, tensorsSha256: _h, ...description } = manifest;
  const out = devWeightsPath('float16');
  const provenance = { ...manifest.provenance, derivedFrom: relative(join(EDGE_DIR, '..', '..'), source), derivedAs: 'float16 re-encoding of the float32 weights' };
  await writeNinWeightsFile(out, stateDict, 'float16', { ...description, provenance });
  return out;
}

export async function writeUntrained(precisions: readonly WeightStorage[]): Promise<string[]> {
  const sd = untrainedStateDict();
  const paths: string[] = [];
  for (const p of precisions) {
    const out = devWeightsPath(p);
    await writeNinWeightsFile(out, sd, p, { inputSize: EDGE_INPUT_SIZE, provenance: { note: 'UNTRAINED: initialNinWeights(0), for development only' } });
    paths.push(out);
  }
  return paths;
}

/** The file the Workers entry for `precision` imports (see src/worker*.ts): keep the two in step. */
export function bundledWeightsPath(precision: WeightStorage): string {
  return devWeightsPath(precision);
}

/**
 * Makes sure the file the entry for `precision` bundles exists: float16 is derived from the trained float32 when
 * missing or stale; a missing trained file is an error that says how to get one.
 */
export async function ensureEdgeWeights(precision: WeightStorage, log: (line: string) => void = console.error): Promise<string> {
  const path = bundledWeightsPath(precision);
  if (precision === 'float16' && path === devWeightsPath('float16')) {
    const source = trainedWeightsPath('float32');
    if (existsSync(source) && (!existsSync(path) || statSync(path).mtimeMs < statSync(source).mtimeMs)) {
      log(`edge: deriving float16 weights from ${source}`);
      return writeFloat16FromTrained();
    }
  }
  if (!existsSync(path)) {
    if (path.startsWith(DEV_WEIGHTS_DIR)) {
      log(`edge: no trained weights yet; writing UNTRAINED development weights to ${DEV_WEIGHTS_DIR}`);
      await writeUntrained([precision]);
    } else {
      throw new Error(`the ${precision} weights ${path} are missing: train the model first (npm run train)`);
    }
  }
  return path;
}
