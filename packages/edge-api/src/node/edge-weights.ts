/**
 * The Workers builds of the edge: which trained weights each entry bundles and which wrangler environment
 * selects it. The trainer commits float32 and int8 files (packages/core-nin/weights); float16 is derived here
 * from the float32 one into packages/edge-api/.weights/ (git-ignored) when first needed.
 *
 * CLI: tsx packages/edge-api/scripts/weights.ts [--size 224]   (writes the float16 file)
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEIGHT_STORAGES, type WeightStorage } from '@nin-bench/core-nin/weights';
import { WEIGHTS_DIR, readNinWeightsFile, writeNinWeightsFile } from '@nin-bench/core-nin/node';
import { EDGE_ENGINES, type EdgeEngineName } from '../engine.ts';
import { ensureLiteRtGlueModule } from './litert-glue.ts';

export const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEV_WEIGHTS_DIR = join(EDGE_DIR, '.weights');
/** where the trainer writes (packages/core-nin/weights) */
export const TRAINED_WEIGHTS_DIR = WEIGHTS_DIR;
export function trainedWeightsPath(precision: WeightStorage, inputSize: number): string {
  return join(
    TRAINED_WEIGHTS_DIR,
    precision === 'float32'
      ? `nin-fmnist-${inputSize}.safetensors`
      : `nin-fmnist-${inputSize}.${precision}.safetensors`,
  );
}

export function devWeightsPath(precision: WeightStorage, inputSize: number): string {
  return join(DEV_WEIGHTS_DIR, `nin-fmnist-${inputSize}.${precision}.safetensors`);
}

/** The calibrated int8 ONNX model `nin export-onnx --int8` writes beside the weights (the onnxruntime-int8 engine's). */
export function int8OnnxPath(inputSize: number): string {
  return join(TRAINED_WEIGHTS_DIR, `nin-fmnist-${inputSize}.int8.onnx`);
}

/** The fully integer `.tflite` model `nin export-tflite --int8` writes beside the weights (the litert-int8 engine's). */
export function int8TflitePath(inputSize: number): string {
  return join(TRAINED_WEIGHTS_DIR, `nin-fmnist-${inputSize}.int8.tflite`);
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
  /** the weights (tfjs), int8 ONNX model (onnxruntime-int8) or int8 .tflite model (litert-int8) the entry imports (keep the two in step: a test checks) */
  readonly weights: string;
}

/**
 * Every build, the default first (wrangler.toml's top level). A variable left unset follows the default build where
 * a build offers that (see edgeBuildFromEnv), then this order: LiteRT.js, then onnxruntime-web (both int8), then the
 * tfjs builds.
 */
export const EDGE_BUILDS: readonly EdgeBuild[] = [
  // LiteRT.js (XNNPACK, relaxed-SIMD build, one thread) on the fully integer .tflite model. No float32 LiteRT build:
  // in Node it took 1.3-1.5x int8's time at the same accuracy (0.919 against 0.918) with 4x the model bytes.
  {
    inputSize: 100,
    precision: 'int8',
    engine: 'litert-int8',
    wranglerEnv: '',
    entry: 'worker.litert-int8-size100.ts',
    weights: int8TflitePath(100),
  },
  {
    inputSize: 224,
    precision: 'int8',
    engine: 'litert-int8',
    wranglerEnv: 'litert-int8',
    entry: 'worker.litert-int8.ts',
    weights: int8TflitePath(224),
  },
  // onnxruntime-web (wasm SIMD, one thread) on the calibrated int8 QDQ model.
  {
    inputSize: 100,
    precision: 'int8',
    engine: 'onnxruntime-int8',
    wranglerEnv: 'onnx-int8-size100',
    entry: 'worker.onnx-int8-size100.ts',
    weights: int8OnnxPath(100),
  },
  {
    inputSize: 224,
    precision: 'int8',
    engine: 'onnxruntime-int8',
    wranglerEnv: 'onnx-int8',
    entry: 'worker.onnx-int8.ts',
    weights: int8OnnxPath(224),
  },
  // tfjs-backend-wasm (SIMD, one thread): the design card's engine, int8 weights dequantised to float32 at load.
  {
    inputSize: 224,
    precision: 'int8',
    engine: 'tfjs',
    wranglerEnv: 'size224',
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
];

/**
 * What `npm run edge:dev` and `wrangler deploy` serve with no variable or `--env`. Chosen by measurement (the
 * committed bench run, results/bench/): the 100 px NiN's fully integer .tflite model on LiteRT.js has the lowest
 * Worker CPU per request of the builds that reach the 0.88 accuracy target, within the Workers Free plan's 10 ms
 * (photo-cpu on one plain workerd: 0.46x the onnxruntime-web int8 100 px build's), at 0.9009 test accuracy (that
 * build's 0.9001). test/edge-default-build.test.ts checks that the committed run still picks it.
 */
export const DEFAULT_EDGE_BUILD: EdgeBuild = EDGE_BUILDS[0]!;

/** How a build is named in messages: `224 px int8` (tfjs) or `224 px int8 onnxruntime-int8`. */
export function describeEdgeBuild(build: Pick<EdgeBuild, 'inputSize' | 'precision' | 'engine'>): string {
  return `${build.inputSize} px ${build.precision}${build.engine === 'tfjs' ? '' : ` ${build.engine}`}`;
}

/** The build for a size, precision and engine; throws naming the builds on offer. */
export function edgeBuild(
  inputSize: number = DEFAULT_EDGE_BUILD.inputSize,
  precision: WeightStorage = DEFAULT_EDGE_BUILD.precision,
  engine: EdgeEngineName = DEFAULT_EDGE_BUILD.engine,
): EdgeBuild {
  const build = EDGE_BUILDS.find((b) => b.inputSize === inputSize && b.precision === precision && b.engine === engine);
  if (!build) throw noBuild({ inputSize, precision, engine });
  return build;
}

const noBuild = (wanted: Pick<EdgeBuild, 'inputSize' | 'precision' | 'engine'>) =>
  new Error(
    `no edge build for ${describeEdgeBuild(wanted)}: offered are ${EDGE_BUILDS.map(describeEdgeBuild).join(', ')}`,
  );

/**
 * `EDGE_SIZE`, `EDGE_WEIGHTS` and `EDGE_ENGINE` -> the build, validated. None set: the default build. What is left
 * unset follows the default build where a build with the others offers it (`EDGE_ENGINE=tfjs`: the 100 px tfjs
 * build), else the first in EDGE_BUILDS (`EDGE_SIZE=224`: the 224 px int8 engine; `EDGE_WEIGHTS=float16`: 224 px).
 */
export function edgeBuildFromEnv(env: NodeJS.ProcessEnv = process.env): EdgeBuild {
  const precision = env.EDGE_WEIGHTS ? env.EDGE_WEIGHTS.toLowerCase() : undefined;
  if (precision !== undefined && !WEIGHT_STORAGES.includes(precision as WeightStorage))
    throw new Error(`EDGE_WEIGHTS must be one of ${WEIGHT_STORAGES.join(', ')}, got "${env.EDGE_WEIGHTS}"`);
  const engine = env.EDGE_ENGINE ? env.EDGE_ENGINE.toLowerCase() : undefined;
  if (engine !== undefined && !EDGE_ENGINES.includes(engine as EdgeEngineName))
    throw new Error(`EDGE_ENGINE must be one of ${EDGE_ENGINES.join(', ')}, got "${env.EDGE_ENGINE}"`);
  const size = env.EDGE_SIZE ? Number(env.EDGE_SIZE) : undefined;
  if (size !== undefined && !Number.isInteger(size))
    throw new Error(`EDGE_SIZE must be an input size in px, got "${env.EDGE_SIZE}"`);
  const fits = EDGE_BUILDS.filter(
    (b) =>
      (size === undefined || b.inputSize === size) &&
      (precision === undefined || b.precision === precision) &&
      (engine === undefined || b.engine === engine),
  );
  const d = DEFAULT_EDGE_BUILD;
  // unset choices: the default's size first, then its engine, then its precision, then the list's order
  const distance = (b: EdgeBuild) =>
    (b.inputSize === d.inputSize ? 0 : 4) + (b.engine === d.engine ? 0 : 2) + (b.precision === d.precision ? 0 : 1);
  const best = fits.reduce<EdgeBuild | undefined>(
    (a, b) => (a === undefined || distance(b) < distance(a) ? b : a),
    undefined,
  );
  if (!best) {
    const given = Object.entries({ EDGE_SIZE: size, EDGE_WEIGHTS: precision, EDGE_ENGINE: engine })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    throw new Error(
      `no edge build for ${given.join(' ')}: offered are ${EDGE_BUILDS.map(describeEdgeBuild).join(', ')}`,
    );
  }
  return best;
}

/** float16 from the trained float32 file (re-encoded, manifest carried over). */
export async function writeFloat16FromTrained(inputSize: number): Promise<string> {
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
  build: EdgeBuild,
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
  if (build.engine === 'litert-int8') {
    ensureLiteRtGlueModule();
    if (!existsSync(path))
      throw new Error(
        `the ${build.inputSize} px int8 .tflite model ${path} is missing: make it with ` +
          `npx nin export-tflite --weights ${trainedWeightsPath('float32', build.inputSize)} --out ${path} --int8`,
      );
  }
  if (!existsSync(path) && build.engine === 'onnxruntime-int8') {
    throw new Error(
      `the ${build.inputSize} px int8 ONNX model ${path} is missing: make it with ` +
        `npx nin export-onnx --weights ${trainedWeightsPath('float32', build.inputSize)} --out ${path} --int8`,
    );
  }
  if (!existsSync(path))
    throw new Error(
      `the ${build.inputSize} px ${build.precision} weights ${path} are missing: train the model first (npm run train)`,
    );
  return path;
}
