import type { EngineDeclaration } from './catalog.ts';

/**
 * How the bench names and reads each engine a Workers build of the edge can run (packages/edge-api's
 * `EDGE_ENGINES`, set by `EDGE_ENGINE`): the id part of its rows, its label, the arithmetic of its WebAssembly.
 */
export const EDGE_ENGINE_ROWS = {
  tfjs: { id: 'tfjs', label: 'tfjs wasm SIMD', wasmArithmetic: 'float32' },
  'onnxruntime-int8': { id: 'onnx-int8', label: 'onnxruntime-web int8', wasmArithmetic: 'int8' },
  'litert-int8': { id: 'litert-int8', label: 'LiteRT.js int8', wasmArithmetic: 'int8' },
} as const satisfies Record<string, { id: string; label: string; wasmArithmetic: 'float32' | 'int8' }>;

export type EdgeEngine = keyof typeof EDGE_ENGINE_ROWS;

/**
 * The edge's Workers builds the bench measures, one row per size and engine of packages/edge-api's build table
 * (`EDGE_BUILDS`, `EDGE_SIZE` x `EDGE_ENGINE`; the bench measures each with int8 weights where the build has a
 * choice): edge-rows.test.ts fails when the two disagree. Each row starts its own `wrangler dev` through
 * `npm run edge:dev` and runs only at its own input size (at another size it is unavailable at once, saying so);
 * a build whose model file is missing is unavailable with edge:dev's message. Which build is the edge's default is
 * the edge's business (chosen from these rows' measurements), so no row is marked here: the bench reaches the edge
 * only over HTTP.
 */
export const EDGE_BUILD_ROWS: readonly { readonly size: number; readonly engine: EdgeEngine }[] = [
  { size: 224, engine: 'tfjs' },
  { size: 224, engine: 'onnxruntime-int8' },
  { size: 224, engine: 'litert-int8' },
  { size: 100, engine: 'tfjs' },
  { size: 100, engine: 'onnxruntime-int8' },
  { size: 100, engine: 'litert-int8' },
  { size: 96, engine: 'tfjs' },
];

/** `edge-<size>-<tfjs|onnx-int8|...>`; `--backends edge` selects them all, `edge-100` one size. */
export function edgeEntries(): EngineDeclaration[] {
  return EDGE_BUILD_ROWS.map(({ size, engine }) => {
    const named = EDGE_ENGINE_ROWS[engine];
    return {
      id: `edge-${size}-${named.id}`,
      label: `edge endpoint ${size} px, ${named.label}`,
      engine: 'edge',
      runner: 'edge.ts',
      options: { edgeSize: size, edgeEngine: engine },
      // the Worker bundles its own model; its facts give its engine's version
      model: 'endpoint',
      runsIn: 'edge',
      portable: false,
      versionPackages: [],
      threads: 1,
      wasmArithmetic: named.wasmArithmetic,
    };
  });
}
