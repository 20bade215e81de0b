/**
 * Writes NiN weights for the edge into packages/edge-api/.weights/ (git-ignored):
 *
 * - `nin-fmnist-96.float16.safetensors`: the trained float32 weights re-encoded as float16 (the trainer commits
 *   only float32 and int8), for `EDGE_WEIGHTS=float16`;
 * - with `--untrained`: `nin-fmnist-96.{int8,float16,float32}.safetensors` from `initialNinWeights(0)`, for working on
 *   the endpoint without trained weights. Their manifest says they are untrained.
 *
 * Usage: tsx packages/edge-api/scripts/dev-weights.ts [--untrained] [--precision int8|float16|float32]
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  WEIGHT_STORAGES,
  decodeNinWeights,
  encodeNinWeights,
  hwioToOihw,
  initialNinWeights,
  type StateDict,
  type WeightStorage,
} from '@nin-bench/core-nin';

const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEV_WEIGHTS_DIR = join(EDGE_DIR, '.weights');
export const TRAINED_WEIGHTS_DIR = join(EDGE_DIR, '..', 'core-nin', 'weights');
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

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path + '.tmp', bytes);
  await rename(path + '.tmp', path);
}

/** float16 from the trained float32 file (re-encoded, manifest carried over). */
export async function writeFloat16FromTrained(): Promise<string> {
  const source = trainedWeightsPath('float32');
  if (!existsSync(source)) throw new Error(`no trained float32 weights at ${source}: train first (npm run train)`);
  const { stateDict, manifest } = await decodeNinWeights(new Uint8Array(await readFile(source)));
  if (!manifest) throw new Error(`${source} has no nin manifest`);
  const { format: _f, model: _m, storage: _s, parameterCount: _p, classes: _c, tensorsSha256: _h, ...description } = manifest;
  const out = devWeightsPath('float16');
  await writeAtomic(out, await encodeNinWeights(stateDict, 'float16', { ...description, provenance: { ...manifest.provenance, derivedFrom: source.slice(EDGE_DIR.length - 'edge-api'.length), derivedAs: 'float16 re-encoding of the float32 weights' } }));
  return out;
}

export async function writeUntrained(precisions: readonly WeightStorage[]): Promise<string[]> {
  const sd = untrainedStateDict();
  const paths: string[] = [];
  for (const p of precisions) {
    const out = devWeightsPath(p);
    await writeAtomic(out, await encodeNinWeights(sd, p, { inputSize: EDGE_INPUT_SIZE, provenance: { note: 'UNTRAINED: initialNinWeights(0), for development only' } }));
    paths.push(out);
  }
  return paths;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { untrained: { type: 'boolean', default: false }, precision: { type: 'string' } } });
  const precisions = values.precision ? [values.precision as WeightStorage] : WEIGHT_STORAGES;
  for (const p of precisions) if (!WEIGHT_STORAGES.includes(p)) throw new Error(`--precision must be one of ${WEIGHT_STORAGES.join(', ')}`);
  const written = values.untrained ? await writeUntrained(precisions) : [await writeFloat16FromTrained()];
  for (const p of written) console.log(`wrote ${p}`);
}
