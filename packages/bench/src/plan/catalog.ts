import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ModelFormat } from '../runners/runner.ts';
import { browserEntries } from './browser-rows.ts';
import { edgeEntries } from './edge-rows.ts';
import { nodeEntries } from './node-rows.ts';

/**
 * The engine registry: every row the bench can have, each declaring what it is and what it needs. To add an
 * engine, write a runner (see runners/runner.ts) and add an entry to one of the lists this file joins (Node:
 * node-rows.ts, a page: browser-rows.ts, an edge build: edge-rows.ts). The orchestrator prepares the entry's
 * `model`, the results record its `versionPackages`, the report reads the rest through `catalogEntry(id)`: no code
 * outside this registry compares engine names. An entry may be known in advance not to run anywhere in Node
 * (`unavailable`): it still gets a row, with the reason, so that the report says so rather than omits it.
 */
export interface EngineDeclaration {
  /** what `--backends` selects and the results name it by; never depends on the machine */
  readonly id: string;
  readonly label: string;
  /** the engine's name in the results and the report (`tfjs`, `onnxruntime-web`, `litert`, `edge` ...) */
  readonly engine: string;
  /** file under src/runners/ */
  readonly runner: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** the model file the runner is handed (task.modelPath); the orchestrator prepares exactly this */
  readonly model: ModelFormat;
  /** where it runs: a Node child, a Chromium page, an HTTP endpoint (the edge), a Python child */
  readonly runsIn: 'node' | 'browser' | 'edge' | 'python';
  /** true when it needs no native addon or other runtime (runs wherever Node or the page runs) */
  readonly portable: boolean;
  /** npm packages whose versions the results record for this row (its engine's own, not the harness's) */
  readonly versionPackages: readonly string[];
  /** its fixed thread count when it has one (1, or the machine's cores) */
  readonly threads?: number;
  /** the arithmetic its WebAssembly does, for the report's "% of peak" (absent: not a WebAssembly row) */
  readonly wasmArithmetic?: 'float32' | 'int8';
  readonly unavailable?: string;
  /** other names `--backends` accepts */
  readonly aliases?: readonly string[];
  /**
   * An int8 row (its `model` is `onnx-int8` or `tflite-int8`): the id of the float32 row of the same engine and
   * threads, which the report compares it with.
   */
  readonly int8Of?: string;
  /**
   * Measured when a profile asks for every row (`--full`) or `--backends` names it, not by the default run, which
   * would run past its time: slow rows (a software GPU in the browser) and the browser's variants of rows that
   * Node already measures.
   */
  readonly extended?: boolean;
  /**
   * The in-process row the edge builds' figures are read against (the READMEs' edge block): the engine and kernels
   * of the edge's tfjs build without HTTP or a Worker. One entry declares it.
   */
  readonly edgeBaseline?: true;
  /** its runner is bundled into the GPU kit (core-nin/gpu-kit/bundle-bench.mjs), which ships what that runner reads */
  readonly gpuKit?: boolean;
}

/** A declared entry with what follows from it. */
export interface CatalogEntry extends EngineDeclaration {
  /**
   * `runsIn: 'browser'`: runs in a web page in headless Chromium (runners/browser.ts); the report marks it as a
   * browser row and its summary answers "in a web page, use ...".
   */
  readonly browser: boolean;
  /**
   * `runsIn: 'edge'`: reached over the network rather than run in the bench's process (an HTTP endpoint); the
   * report lists it apart from the engines it recommends, and its memory row describes the client only.
   */
  readonly remote: boolean;
}

/** The reference every other backend's logits are compared with. */
export const REFERENCE_BACKEND = 'tfjs-cpu';

/** The int8 model formats (an entry with one of them names its float32 row in `int8Of`). */
export const INT8_MODELS: readonly ModelFormat[] = ['onnx-int8', 'tflite-int8'];

export function runnerPath(entry: Pick<EngineDeclaration, 'runner'>): string {
  // In the GPU kit's bundle (gpu-kit/bundle-bench.mjs) each runner is a .mjs file in runners/ beside bench/.
  const file = import.meta.url.endsWith('.ts') ? entry.runner : entry.runner.replace(/\.ts$/, '.mjs');
  return fileURLToPath(new URL(`../runners/${file}`, import.meta.url));
}

const derived = (e: EngineDeclaration): CatalogEntry => ({
  ...e,
  browser: e.runsIn === 'browser',
  remote: e.runsIn === 'edge',
});

/** Every entry, the `-all` rows included whatever the cores. */
function declaredEntries(cores: number): CatalogEntry[] {
  return [
    ...nodeEntries(cores),
    // The same engines in a web page (headless Chromium, a cross-origin-isolated page served from this machine):
    // where wasm runs multithreaded, and where WebGL and WebGPU are the browser's own (here: SwiftShader).
    ...browserEntries(cores),
    // One row per Workers build of the edge (wrangler dev, reached over HTTP).
    ...edgeEntries(),
  ].map(derived);
}

/**
 * The registry for a machine with `cores` cores, with `more` declarations after its own (an engine kept outside
 * the package, a test's fixture engine): each becomes an entry exactly as the registry's own do.
 */
export function createCatalog(cores = availableParallelism(), more: readonly EngineDeclaration[] = []): CatalogEntry[] {
  const entries = [...declaredEntries(cores), ...more.map(derived)];
  // With one core, "all cores" is the 1-thread row again (an int8 row then compares with the 1-thread float row).
  return cores > 1 ? entries : entries.filter((e) => !e.id.endsWith('-all'));
}

let byId: Map<string, CatalogEntry> | undefined;

/**
 * The entry of a results row's `backend` id, for code that has only the results (the report): what the row ran
 * on (`model`, `runsIn`, `portable`, `wasmArithmetic` ...). Ids do not depend on the machine; the fields that do
 * (`label`, `threads`, the options' thread count) are this machine's here, the results' own for that run.
 * Undefined for an id the registry no longer has.
 */
export function catalogEntry(id: string): CatalogEntry | undefined {
  byId ??= new Map(declaredEntries(Math.max(2, availableParallelism())).map((e) => [e.id, e]));
  return byId.get(id);
}

/** The entry that declares itself the edge builds' baseline (`edgeBaseline`). */
export function edgeBaselineEntry(): CatalogEntry {
  const entry = declaredEntries(2).find((e) => e.edgeBaseline);
  if (!entry) throw new Error('the engine registry declares no edgeBaseline entry');
  return entry;
}

/** The npm packages whose versions a run records: every entry's `versionPackages`, once each, in catalog order. */
export function versionPackages(entries: readonly EngineDeclaration[] = declaredEntries(2)): string[] {
  return [...new Set(entries.flatMap((e) => e.versionPackages))];
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
