import { prose } from '../text/prose.ts';
import type { EngineDeclaration } from './catalog.ts';
import { oneAndAllCores } from './thread-counts.ts';

const TFJS = '@tensorflow/tfjs-core';

/** A tfjs row: the engine on the safetensors weights, with its backend in `options`. */
const tfjs = (e: Pick<EngineDeclaration, 'id' | 'label' | 'options' | 'aliases'> & Partial<EngineDeclaration>) =>
  ({
    engine: 'tfjs',
    runner: 'tfjs.ts',
    model: 'safetensors',
    runsIn: 'node',
    portable: true,
    versionPackages: [TFJS],
    gpuKit: true,
    ...e,
  }) satisfies EngineDeclaration;
/** What tfjs's WebAssembly rows share: one thread under Node, float32 arithmetic, the wasm backend's package. */
const wasm = {
  threads: 1,
  wasmArithmetic: 'float32',
  versionPackages: [TFJS, '@tensorflow/tfjs-backend-wasm'],
} as const;
/** An onnxruntime row on `threads` threads, on the float32 or the int8 ONNX export. */
const ort = (
  engine: 'onnxruntime-node' | 'onnxruntime-web',
  threads: number,
  int8: boolean,
): Omit<EngineDeclaration, 'id' | 'label' | 'aliases'> => ({
  engine,
  runner: `${engine}.ts`,
  options: int8 ? { threads, int8: true } : { threads },
  model: int8 ? 'onnx-int8' : 'onnx',
  runsIn: 'node',
  // onnxruntime-node is a native addon; onnxruntime-web is WebAssembly, as a page or a Worker runs it
  portable: engine === 'onnxruntime-web',
  versionPackages: [engine],
  threads,
  ...(engine === 'onnxruntime-web' ? { wasmArithmetic: int8 ? 'int8' : 'float32' } : { gpuKit: true }),
});
/**
 * An onnxruntime engine's row on one thread and on every core: ids `${id}-1t` and `${id}-all`, aliases
 * `${alias}-1t` and `${alias}`; with `int8Of`, the int8 rows beside the float32 rows `${int8Of}-1t`/`-all`.
 */
const ortRows = (
  cores: number,
  engine: 'onnxruntime-node' | 'onnxruntime-web',
  names: { id: string; label: string; alias: string; int8Of?: string },
): EngineDeclaration[] =>
  oneAndAllCores(cores).map(({ suffix, threads, count }) => ({
    id: `${names.id}-${suffix}`,
    label: `${names.label} ${count}`,
    aliases: [suffix === '1t' ? `${names.alias}-1t` : names.alias],
    ...(names.int8Of ? { int8Of: `${names.int8Of}-${suffix}` } : {}),
    ...ort(engine, threads, names.int8Of !== undefined),
  }));
/** A LiteRT.js row in Node: one thread, on the float32 or the int8 .tflite export. */
const litert = (int8: boolean): Omit<EngineDeclaration, 'id' | 'label' | 'aliases'> => ({
  engine: 'litert',
  runner: 'litert.ts',
  options: { threads: 1 },
  model: int8 ? 'tflite-int8' : 'tflite',
  runsIn: 'node',
  portable: true,
  versionPackages: ['@litertjs/core'],
  threads: 1,
  wasmArithmetic: int8 ? 'int8' : 'float32',
});
/** A PyTorch row, in its Python child. */
const torch = (e: Pick<EngineDeclaration, 'id' | 'label' | 'options' | 'aliases' | 'threads'>): EngineDeclaration => ({
  engine: 'pytorch',
  runner: 'pytorch.ts',
  model: 'safetensors',
  runsIn: 'python',
  portable: false,
  versionPackages: [],
  gpuKit: true,
  ...e,
});

/** tfjs in Node, every backend it has there: the reference (tfjs cpu) first. */
function tfjsEntries(cores: number): EngineDeclaration[] {
  return [
    tfjs({
      id: 'tfjs-cpu',
      label: 'tfjs cpu',
      options: { backend: 'cpu' },
      aliases: ['cpu'],
      versionPackages: [TFJS, '@tensorflow/tfjs-backend-cpu'],
    }),
    tfjs({
      id: 'tfjs-wasm-simd',
      label: 'tfjs wasm SIMD',
      options: { backend: 'wasm:simd' },
      aliases: ['wasm:simd'],
      ...wasm,
      edgeBaseline: true,
    }),
    tfjs({
      id: 'tfjs-wasm-plain',
      label: 'tfjs wasm plain',
      options: { backend: 'wasm:plain' },
      aliases: ['wasm:plain'],
      ...wasm,
    }),
    tfjs({
      id: 'tfjs-wasm-threads',
      label: 'tfjs wasm SIMD+threads',
      options: { backend: 'wasm:threaded-simd' },
      unavailable: prose`impossible under Node: tfjs-backend-wasm 4.22 hard-codes WASM_HAS_MULTITHREAD_SUPPORT to false when
        IS_NODE (tensorflow/tfjs#3830); only a cross-origin-isolated browser page gets the threaded binary (the browser
        rows measure it: browser-tfjs-wasm-simd-all)`,
      aliases: ['wasm:threads'],
      ...wasm,
      threads: cores,
    }),
    // Dawn (the `webgpu` package) is a native addon; tfjs-backend-webgpu itself is what a page runs
    tfjs({
      id: 'tfjs-webgpu',
      label: 'tfjs webgpu',
      options: { backend: 'webgpu' },
      aliases: ['webgpu'],
      portable: false,
      versionPackages: [TFJS, '@tensorflow/tfjs-backend-webgpu', 'webgpu'],
    }),
    tfjs({
      id: 'tfjs-tensorflow-cpu',
      label: 'tfjs tensorflow (tfjs-node)',
      options: { backend: 'tensorflow:cpu' },
      aliases: ['tensorflow', 'tensorflow:cpu', 'tfjs-node'],
      portable: false,
      versionPackages: [TFJS, '@tensorflow/tfjs-node'],
    }),
    tfjs({
      id: 'tfjs-tensorflow-gpu',
      label: 'tfjs tensorflow (tfjs-node-gpu)',
      options: { backend: 'tensorflow:gpu' },
      aliases: ['tensorflow:gpu', 'tfjs-node-gpu'],
      portable: false,
      versionPackages: [TFJS, '@tensorflow/tfjs-node-gpu'],
    }),
  ];
}

/** ONNX Runtime, native (onnxruntime-node) and WebAssembly (onnxruntime-web), float32 and int8. */
function ortEntries(cores: number): EngineDeclaration[] {
  return [
    ...ortRows(cores, 'onnxruntime-node', { id: 'onnxruntime-node', label: 'onnxruntime-node', alias: 'ort-node' }),
    ...ortRows(cores, 'onnxruntime-web', { id: 'onnxruntime-web', label: 'onnxruntime-web wasm', alias: 'ort-web' }),
    // The same engines on the calibrated int8 model (QLinearConv): each beside its float32 row in every table.
    ...ortRows(cores, 'onnxruntime-node', {
      id: 'onnxruntime-node-int8',
      label: 'onnxruntime-node int8',
      alias: 'ort-node-int8',
      int8Of: 'onnxruntime-node',
    }),
    ...ortRows(cores, 'onnxruntime-web', {
      id: 'onnxruntime-web-int8',
      label: 'onnxruntime-web wasm int8',
      alias: 'ort-web-int8',
      int8Of: 'onnxruntime-web',
    }),
  ];
}

function litertEntries(): EngineDeclaration[] {
  return [
    // LiteRT.js (TFLite with XNNPACK in WebAssembly) on the .tflite export, one thread: Node gets its
    // single-threaded builds only (relaxed SIMD where Node has it, else compat; the row's facts say which ran).
    { id: 'litert-1t', label: 'LiteRT.js wasm 1 thread', aliases: ['litert-wasm-1t'], ...litert(false) },
    {
      id: 'litert-int8-1t',
      label: 'LiteRT.js wasm int8 1 thread',
      aliases: ['litert-wasm-int8-1t'],
      int8Of: 'litert-1t',
      ...litert(true),
    },
  ];
}

function torchEntries(cores: number): EngineDeclaration[] {
  return [
    // PyTorch, the seed model's own framework (d2l's nn.Sequential with these weights), in a Python child driven
    // over a pipe: on the CPU here (Debian's python3-torch), and on CUDA where there is a GPU. torch's version is
    // in each row's facts (it is no npm package).
    torch({
      id: 'pytorch-cpu',
      label: `PyTorch cpu ${cores} thread${cores > 1 ? 's' : ''}`,
      options: { device: 'cpu', threads: cores },
      aliases: ['torch-cpu'],
      threads: cores,
    }),
    torch({
      id: 'pytorch-cuda-fp32',
      label: 'PyTorch CUDA float32 (TF32 off)',
      options: { device: 'cuda', precision: 'strict' },
      aliases: ['torch-cuda'],
    }),
    torch({
      id: 'pytorch-cuda-default',
      label: 'PyTorch CUDA default (TF32 convolutions)',
      options: { device: 'cuda', precision: 'default' },
    }),
  ];
}

/** The rows run in the bench's Node child (and PyTorch's Python child): the reference, tfjs-cpu, first. */
export function nodeEntries(cores: number): EngineDeclaration[] {
  return [...tfjsEntries(cores), ...ortEntries(cores), ...litertEntries(), ...torchEntries(cores)];
}
