import type { CatalogEntry } from './catalog.ts';

/**
 * The edge's Workers builds the bench measures, one row each (packages/edge-api: `EDGE_SIZE` x `EDGE_ENGINE`, int8
 * weights). Each row starts its own `wrangler dev` through `npm run edge:dev` and runs only at its own input size
 * (at another size it is unavailable at once, saying so); a build whose model file is missing is unavailable with
 * edge:dev's message. Which build is the edge's default is the edge's business (packages/edge-api, chosen from
 * these rows' measurements), so no row is marked here: the bench reaches the edge only over HTTP.
 */
export const EDGE_BUILD_ROWS: readonly { readonly size: number; readonly engine: 'tfjs' | 'onnxruntime-int8' }[] = [
  { size: 224, engine: 'tfjs' },
  { size: 224, engine: 'onnxruntime-int8' },
  { size: 100, engine: 'tfjs' },
  { size: 100, engine: 'onnxruntime-int8' },
  { size: 96, engine: 'tfjs' },
];

const ENGINE_IDS = { tfjs: 'tfjs', 'onnxruntime-int8': 'onnx-int8' } as const;
const ENGINE_LABELS = { tfjs: 'tfjs wasm SIMD', 'onnxruntime-int8': 'onnxruntime-web int8' } as const;

/** `edge-<size>-<tfjs|onnx-int8>`; `--backends edge` selects them all, `edge-100` one size. */
export function edgeEntries(): CatalogEntry[] {
  return EDGE_BUILD_ROWS.map(({ size, engine }) => ({
    id: `edge-${size}-${ENGINE_IDS[engine]}`,
    label: `edge endpoint ${size} px, ${ENGINE_LABELS[engine]}`,
    engine: 'edge',
    runner: 'edge.ts',
    options: { edgeSize: size, edgeEngine: engine },
    remote: true,
  }));
}
