import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { edgeEntries } from './edge-rows.ts';

/**
 * Every row the bench can have: a runner file and its options. To add an engine, write a runner (see
 * runners/runner.ts) and add an entry here. An entry may be known in advance not to run anywhere in Node
 * (`unavailable`): it still gets a row, with the reason, so that the report says so rather than omits it.
 */
export interface CatalogEntry {
  /** what `--backends` selects and the results name it by */
  readonly id: string;
  readonly label: string;
  readonly engine: string;
  /** file under src/runners/ */
  readonly runner: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly unavailable?: string;
  /** other names `--backends` accepts */
  readonly aliases?: readonly string[];
  /**
   * Reached over the network rather than run in the bench's process (an HTTP endpoint): the report lists it
   * apart from the engines it recommends, and its memory row describes the client only.
   */
  readonly remote?: boolean;
  /**
   * Runs the calibrated int8 ONNX model (`nin export-onnx --int8`) instead of the float32 export; the id of the
   * float32 row of the same engine and threads, which the report compares it with.
   */
  readonly int8Of?: string;
  /**
   * Runs in a web page in headless Chromium (runners/browser.ts): the report marks it as a browser row and its
   * summary answers "in a web page, use ...".
   */
  readonly browser?: boolean;
  /**
   * Measured when a profile asks for every row (`--full`) or `--backends` names it, not by the default run, which
   * would run past its time: slow rows (a software GPU in the browser) and the browser's variants of rows that
   * Node already measures.
   */
  readonly extended?: boolean;
}

/** The reference every other backend's logits are compared with. */
export const REFERENCE_BACKEND = 'tfjs-cpu';

export function runnerPath(entry: CatalogEntry): string {
  // In the GPU kit's bundle (gpu-kit/bundle-bench.mjs) each runner is a .mjs file in runners/ beside bench/.
  const file = import.meta.url.endsWith('.ts') ? entry.runner : entry.runner.replace(/\.ts$/, '.mjs');
  return fileURLToPath(new URL(`../runners/${file}`, import.meta.url));
}

export function createCatalog(cores = availableParallelism()): CatalogEntry[] {
  const entries: CatalogEntry[] = [
    {
      id: 'tfjs-cpu',
      label: 'tfjs cpu',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'cpu' },
      aliases: ['cpu'],
    },
    {
      id: 'tfjs-wasm-simd',
      label: 'tfjs wasm SIMD',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'wasm:simd' },
      aliases: ['wasm:simd'],
    },
    {
      id: 'tfjs-wasm-plain',
      label: 'tfjs wasm plain',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'wasm:plain' },
      aliases: ['wasm:plain'],
    },
    {
      id: 'tfjs-wasm-threads',
      label: 'tfjs wasm SIMD+threads',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'wasm:threaded-simd' },
      unavailable:
        'impossible under Node: tfjs-backend-wasm 4.22 hard-codes WASM_HAS_MULTITHREAD_SUPPORT to false when IS_NODE (tensorflow/tfjs#3830); only a cross-origin-isolated browser page gets the threaded binary (the browser rows measure it: browser-tfjs-wasm-simd-all)',
      aliases: ['wasm:threads'],
    },
    {
      id: 'tfjs-webgpu',
      label: 'tfjs webgpu',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'webgpu' },
      aliases: ['webgpu'],
    },
    {
      id: 'tfjs-tensorflow-cpu',
      label: 'tfjs tensorflow (tfjs-node)',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'tensorflow:cpu' },
      aliases: ['tensorflow', 'tensorflow:cpu', 'tfjs-node'],
    },
    {
      id: 'tfjs-tensorflow-gpu',
      label: 'tfjs tensorflow (tfjs-node-gpu)',
      engine: 'tfjs',
      runner: 'tfjs.ts',
      options: { backend: 'tensorflow:gpu' },
      aliases: ['tensorflow:gpu', 'tfjs-node-gpu'],
    },
    {
      id: 'onnxruntime-node-1t',
      label: 'onnxruntime-node 1 thread',
      engine: 'onnxruntime-node',
      runner: 'onnxruntime-node.ts',
      options: { threads: 1 },
      aliases: ['ort-node-1t'],
    },
    {
      id: 'onnxruntime-node-all',
      label: `onnxruntime-node ${cores} threads`,
      engine: 'onnxruntime-node',
      runner: 'onnxruntime-node.ts',
      options: { threads: cores },
      aliases: ['ort-node'],
    },
    {
      id: 'onnxruntime-web-1t',
      label: 'onnxruntime-web wasm 1 thread',
      engine: 'onnxruntime-web',
      runner: 'onnxruntime-web.ts',
      options: { threads: 1 },
      aliases: ['ort-web-1t'],
    },
    {
      id: 'onnxruntime-web-all',
      label: `onnxruntime-web wasm ${cores} threads`,
      engine: 'onnxruntime-web',
      runner: 'onnxruntime-web.ts',
      options: { threads: cores },
      aliases: ['ort-web'],
    },
    // The same engines on the calibrated int8 model (QLinearConv): each beside its float32 row in every table.
    {
      id: 'onnxruntime-node-int8-1t',
      label: 'onnxruntime-node int8 1 thread',
      engine: 'onnxruntime-node',
      runner: 'onnxruntime-node.ts',
      options: { threads: 1, int8: true },
      aliases: ['ort-node-int8-1t'],
      int8Of: 'onnxruntime-node-1t',
    },
    {
      id: 'onnxruntime-node-int8-all',
      label: `onnxruntime-node int8 ${cores} threads`,
      engine: 'onnxruntime-node',
      runner: 'onnxruntime-node.ts',
      options: { threads: cores, int8: true },
      aliases: ['ort-node-int8'],
      int8Of: 'onnxruntime-node-all',
    },
    {
      id: 'onnxruntime-web-int8-1t',
      label: 'onnxruntime-web wasm int8 1 thread',
      engine: 'onnxruntime-web',
      runner: 'onnxruntime-web.ts',
      options: { threads: 1, int8: true },
      aliases: ['ort-web-int8-1t'],
      int8Of: 'onnxruntime-web-1t',
    },
    {
      id: 'onnxruntime-web-int8-all',
      label: `onnxruntime-web wasm int8 ${cores} threads`,
      engine: 'onnxruntime-web',
      runner: 'onnxruntime-web.ts',
      options: { threads: cores, int8: true },
      aliases: ['ort-web-int8'],
      int8Of: 'onnxruntime-web-all',
    },
    // PyTorch, the seed model's own framework (d2l's nn.Sequential with these weights), in a Python child driven
    // over a pipe: on the CPU here (Debian's python3-torch), and on CUDA where there is a GPU.
    {
      id: 'pytorch-cpu',
      label: `PyTorch cpu ${cores} thread${cores > 1 ? 's' : ''}`,
      engine: 'pytorch',
      runner: 'pytorch.ts',
      options: { device: 'cpu', threads: cores },
      aliases: ['torch-cpu'],
    },
    {
      id: 'pytorch-cuda-fp32',
      label: 'PyTorch CUDA float32 (TF32 off)',
      engine: 'pytorch',
      runner: 'pytorch.ts',
      options: { device: 'cuda', precision: 'strict' },
      aliases: ['torch-cuda'],
    },
    {
      id: 'pytorch-cuda-default',
      label: 'PyTorch CUDA default (TF32 convolutions)',
      engine: 'pytorch',
      runner: 'pytorch.ts',
      options: { device: 'cuda', precision: 'default' },
    },
    // The same engines in a web page (headless Chromium, a cross-origin-isolated page served from this machine):
    // where tfjs wasm runs multithreaded, and where WebGL and WebGPU are the browser's own (here: SwiftShader).
    ...browserEntries(cores),
    // One row per Workers build of the edge (wrangler dev, reached over HTTP): plan/edge-rows.ts.
    ...edgeEntries(),
  ];
  // With one core, "all cores" is the 1-thread row again (an int8 row then compares with the 1-thread float row).
  return cores > 1 ? entries : entries.filter((e) => !e.id.endsWith('-all'));
}

/** Switches the WebGPU rows need: Chromium on Linux offers WebGPU only behind this one. */
const WEBGPU_FLAGS = '--enable-unsafe-webgpu';

function browserEntries(cores: number): CatalogEntry[] {
  const row = (
    id: string,
    label: string,
    engine: string,
    options: CatalogEntry['options'],
    extra: Partial<CatalogEntry> = {},
  ): CatalogEntry => ({
    id: `browser-${id}`,
    label: `${label} (browser)`,
    engine,
    runner: 'browser.ts',
    options: { engine, ...options },
    browser: true,
    ...extra,
  });
  return [
    row('tfjs-wasm-simd-1t', 'tfjs wasm SIMD 1 thread', 'tfjs', { backend: 'wasm', simd: true, threads: 1 }),
    // tfjs would take half of navigator.hardwareConcurrency: the page sets the count explicitly
    row('tfjs-wasm-simd-all', `tfjs wasm SIMD ${cores} threads`, 'tfjs', {
      backend: 'wasm',
      simd: true,
      threads: cores,
    }),
    row('tfjs-wasm-plain', 'tfjs wasm plain', 'tfjs', { backend: 'wasm', simd: false, threads: 1 }, { extended: true }),
    row('tfjs-webgl', 'tfjs webgl', 'tfjs', { backend: 'webgl' }),
    // WebGPU in headless Chromium without a GPU is SwiftShader: seconds per 224 px image
    row('tfjs-webgpu', 'tfjs webgpu', 'tfjs', { backend: 'webgpu', flags: WEBGPU_FLAGS }, { extended: true }),
    row('onnxruntime-web-1t', 'onnxruntime-web wasm 1 thread', 'onnxruntime-web', { backend: 'wasm', threads: 1 }),
    row('onnxruntime-web-all', `onnxruntime-web wasm ${cores} threads`, 'onnxruntime-web', {
      backend: 'wasm',
      threads: cores,
    }),
    row(
      'onnxruntime-web-webgpu',
      'onnxruntime-web webgpu',
      'onnxruntime-web',
      { backend: 'webgpu', flags: WEBGPU_FLAGS },
      { extended: true },
    ),
    row(
      'onnxruntime-web-int8-1t',
      'onnxruntime-web wasm int8 1 thread',
      'onnxruntime-web',
      { backend: 'wasm', threads: 1, int8: true },
      { int8Of: 'browser-onnxruntime-web-1t', extended: true },
    ),
    row(
      'onnxruntime-web-int8-all',
      `onnxruntime-web wasm int8 ${cores} threads`,
      'onnxruntime-web',
      { backend: 'wasm', threads: cores, int8: true },
      { int8Of: 'browser-onnxruntime-web-all', extended: true },
    ),
  ];
}

/**
 * Picks entries by id, alias or id prefix (`tfjs-wasm` selects every tfjs wasm row, `onnxruntime` both
 * engines), keeping catalog order. Throws a RangeError naming the ids for an unknown selector. Without selectors:
 * every entry, less the `extended` ones unless `extended` is true.
 */
export function selectEntries(
  catalog: readonly CatalogEntry[],
  selectors: readonly string[] | undefined,
  options: { readonly extended?: boolean } = {},
): CatalogEntry[] {
  if (!selectors || selectors.length === 0) return catalog.filter((e) => options.extended !== false || !e.extended);
  const chosen = new Set<CatalogEntry>();
  for (const raw of selectors) {
    const s = raw.trim().toLowerCase();
    const hits = catalog.filter((e) => e.id === s || e.aliases?.includes(s) || e.id.startsWith(`${s}-`));
    if (hits.length === 0)
      throw new RangeError(`unknown backend "${raw}": choose from ${catalog.map((e) => e.id).join(', ')}`);
    for (const h of hits) chosen.add(h);
  }
  return catalog.filter((e) => chosen.has(e));
}
