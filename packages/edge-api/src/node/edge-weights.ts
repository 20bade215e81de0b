/**
 * The Workers builds of the edge: which trained weights each entry bundles and which wrangler environment
 * selects it. The trainer commits float32 and int8 files (packages/core-nin/weights); float16 is derived here
 * from the float32 one into packages/edge-api/.weights/ (git-ignored) when first needed.
 *
 * CLI: tsx packages/edge-api/scripts/weights.ts [--size 224|96]   (writes the float16 file)
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEIGHT_STORAGES, type WeightStorage } from '@nin-bench/core-nin/weights';
import { WEIGHTS_DIR, readNinWeightsFile, writeNinWeightsFile } from '@nin-bench/core-nin/node';
import { EDGE_ENGINES, type EdgeEngineName } from '../engine.ts';

export const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEV_WEIGHTS_DIR = join(EDGE_DIR, '.weights');
/** where the trainer writes (packages/core-nin/weights) */
export const TRAINED_WEIGHTS_DIR = WEIGHTS_DIR;
/**
 * The model the edge serves by default: d2l's 224 px NiN (0.888 test accuracy when this was written). The 96 px
 * model costs 7 times fewer multiply-adds but trained to 0.610 on this project's CPU budget, so it is the
 * `size96` build, not the default.
 */
export const EDGE_INPUT_SIZE = 224;

export function trainedWeightsPath(precision: WeightStorage, inputSize = EDGE_INPUT_SIZE): string {
  return join(
    TRAINED_WEIGHTS_DIR,
    precision === 'float32'
      ? `nin-fmnist-${inputSize}.safetensors`
      : `nin-fmnist-${inputSize}.${precision}.safetensors`,
  );
}

export function devWeightsPath(precision: WeightStorage, inputSize = EDGE_INPUT_SIZE): string {
  return join(DEV_WEIGHTS_DIR, `nin-fmnist-${inputSize}.${precision}.safetensors`);
}

/** The calibrated int8 ONNX model `nin export-onnx --int8` writes beside the weights (the onnxruntime-int8 engine's). */
export function int8OnnxPath(inputSize = EDGE_INPUT_SIZE): string {
  return join(TRAINED_WEIGHTS_DIR, `nin-fmnist-${inputSize}.int8.onnx`);
}

/** One deployable build: a Workers entry, the weights it bundles, the wrangler environment that selects it. */
export interface EdgeBuild {
  readonly inputSize: number;
  readonly precision: WeightStorage;
  /** the inference engine the entry runs (EDGE_ENGINE) */
  readonly engine: EdgeEngineName;
  /** `[env.<name>]` in wrangler.toml; '' is the top level (the default build) */
  readonly wranglerEnv: string;
  /** file under src/ */
  readonly entry: string;
  /** the weights (tfjs) or int8 ONNX model (onnxruntime-int8) the entry imports (keep the two in step: a test checks) */
  readonly weights: string;
}

export const EDGE_BUILDS: readonly EdgeBuild[] = [
  {
    inputSize: 224,
    precision: 'int8',
    engine: 'tfjs',
    wranglerEnv: '',
    entry: 'worker.ts',
    weights: trainedWeightsPath('int8', 224),
  },
  {
    inputSize: 224,
    precision: 'float16',
    engine: 'tfjs',
    wranglerEnv: 'float16',
    entry: 'worker.float16.ts',
    weights: devWeightsPath('float16', 224),
  },
  {
    inputSize: 224,
    precision: 'float32',
    engine: 'tfjs',
    wranglerEnv: 'float32',
    entry: 'worker.float32.ts',
    weights: trainedWeightsPath('float32', 224),
  },
  {
    inputSize: 100,
    precision: 'int8',
    engine: 'tfjs',
    wranglerEnv: 'size100',
    entry: 'worker.size100.ts',
    weights: trainedWeightsPath('int8', 100),
  },
  {
    inputSize: 96,
    precision: 'int8',
    engine: 'tfjs',
    wranglerEnv: 'size96',
    entry: 'worker.size96.ts',
    weights: trainedWeightsPath('int8', 96),
  },
  // The int8 engine: one entry and one wrangler env per size.
  {
    inputSize: 224,
    precision: 'int8',
    engine: 'onnxruntime-int8',
    wranglerEnv: 'onnx-int8',
    entry: 'worker.onnx-int8.ts',
    weights: int8OnnxPath(224),
  },
  {
    inputSize: 100,
    precision: 'int8',
    engine: 'onnxruntime-int8',
    wranglerEnv: 'onnx-int8-size100',
    entry: 'worker.onnx-int8-size100.ts',
    weights: int8OnnxPath(100),
  },
];

export const DEFAULT_EDGE_BUILD = EDGE_BUILDS[0];

/** How a build is named in messages: `224 px int8` (tfjs) or `224 px int8 onnxruntime-int8`. */
export function describeEdgeBuild(build: Pick<EdgeBuild, 'inputSize' | 'precision' | 'engine'>): string {
  return `${build.inputSize} px ${build.precision}${build.engine === 'tfjs' ? '' : ` ${build.engine}`}`;
}

/** The build for a size, precision and engine; throws naming the builds on offer. */
export function edgeBuild(
  inputSize: number = EDGE_INPUT_SIZE,
  precision: WeightStorage = 'int8',
  engine: EdgeEngineName = 'tfjs',
): EdgeBuild {
  const build = EDGE_BUILDS.find((b) => b.inputSize === inputSize && b.precision === precision && b.engine === engine);
  if (!build)
    throw new Error(
      `no edge build for ${describeEdgeBuild({ inputSize, precision, engine })}: offered are ${EDGE_BUILDS.map(describeEdgeBuild).join(', ')}`,
    );
  return build;
}

/** `EDGE_SIZE` (224 by default), `EDGE_WEIGHTS` (int8 by default) and `EDGE_ENGINE` (tfjs by default) -> the build, validated. */
export function edgeBuildFromEnv(env: NodeJS.ProcessEnv = process.env): EdgeBuild {
  const precision = (env.EDGE_WEIGHTS || 'int8').toLowerCase();
  if (!WEIGHT_STORAGES.includes(precision as WeightStorage))
    throw new Error(`EDGE_WEIGHTS must be one of ${WEIGHT_STORAGES.join(', ')}, got "${env.EDGE_WEIGHTS}"`);
  const engine = (env.EDGE_ENGINE || 'tfjs').toLowerCase();
  if (!EDGE_ENGINES.includes(engine as EdgeEngineName))
    throw new Error(`EDGE_ENGINE must be one of ${EDGE_ENGINES.join(', ')}, got "${env.EDGE_ENGINE}"`);
  const size = Number(env.EDGE_SIZE || EDGE_INPUT_SIZE);
  return edgeBuild(size, precision as WeightStorage, engine as EdgeEngineName);
}

/** float16 from the trained float32 file (re-encoded, manifest carried over). */
export async function writeFloat16FromTrained(inputSize = EDGE_INPUT_SIZE): Promise<string> {
  const source = trainedWeightsPath('float32', inputSize);
  if (!existsSync(source)) throw new Error(`no trained float32 weights at ${source}: train first (npm run train)`);
  const { stateDict, manifest } = await readNinWeightsFile(source);
  if (!manifest) throw new Error(`${source} has no nin manifest`);
  const {
    format: _f,
    model: _m,
    storage: _s,
    parameterCount: _p,
    classes: _c,
    tensorsSha256: _h,
    ...description
  } = manifest;
  const out = devWeightsPath('float16', inputSize);
  const provenance = {
    ...manifest.provenance,
    derivedFrom: relative(join(EDGE_DIR, '..', '..'), source),
    derivedAs: 'float16 re-encoding of the float32 weights',
  };
  await writeNinWeightsFile(out, stateDict, 'float16', { ...description, provenance });
  return out;
}

/**
 * Makes sure the file a build bundles exists: float16 is derived from the trained float32 when missing or
 * stale; a missing trained file is an error that says how to get one.
 */
export async function ensureEdgeWeights(
  build: EdgeBuild = DEFAULT_EDGE_BUILD,
  log: (line: string) => void = console.error,
): Promise<string> {
  const path = build.weights;
  if (build.precision === 'float16' && path === devWeightsPath('float16', build.inputSize)) {
    const source = trainedWeightsPath('float32', build.inputSize);
    if (existsSync(source) && (!existsSync(path) || statSync(path).mtimeMs < statSync(source).mtimeMs)) {
      log(`edge: deriving float16 weights from ${source}`);
      return writeFloat16FromTrained(build.inputSize);
    }
  }
  if (!existsSync(path) && build.engine === 'onnxruntime-int8') {
    throw new Error(
      `the ${build.inputSize} px int8 ONNX model ${path} is missing: make it with npx nin export-onnx --weights ${trainedWeightsPath('float32', build.inputSize)} --out ${path} --int8`,
    );
  }
  if (!existsSync(path))
    throw new Error(
      `the ${build.inputSize} px ${build.precision} weights ${path} are missing: train the model first (npm run train)`,
    );
  return path;
}
