import type { CatalogEntry } from './catalog.ts';

/**
 * The edge's Workers builds the bench measures, one row each (packages/edge-api: `EDGE_SIZE` x `EDGE_ENGINE`, int8
 * weights). Each row starts its own `wrangler dev` through `npm run edge:dev` and runs only at its own input size
 * (at another size it is unavailable at once, saying so); a build whose model file is missing is unavailable with
 * edge:dev's message. The first is the default build (what `npm run edge:dev` serves with no variables).
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

/** `edge` (the default build, also `edge-224-tfjs`), then `edge-<size>-<tfjs|onnx-int8>`; `--backends edge` selects them all. */
export function edgeEntries(): CatalogEntry[] {
  return EDGE_BUILD_ROWS.map(({ size, engine }, i) => {
    const id = `edge-${size}-${ENGINE_IDS[engine]}`;
    const isDefault = i === 0;
    return {
      id: isDefault ? 'edge' : id,
      label: `edge endpoint ${size} px, ${ENGINE_LABELS[engine]}${isDefault ? ' (default build)' : ''}`,
      engine: 'edge',
      runner: 'edge.ts',
      options: { edgeSize: size, edgeEngine: engine },
      aliases: isDefault ? [id, 'workers', 'wrangler'] : [],
      remote: true,
    };
  });
}
