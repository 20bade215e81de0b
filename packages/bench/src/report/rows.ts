import type { BackendRun, OfflineResult } from '../results/schema.ts';

/** Sorts rows by size (in the order the run measured them), then by `key` ascending. */
export function bySizeThen(sizes: readonly number[], key: (r: BackendRun) => number) {
  return (a: BackendRun, b: BackendRun) => sizes.indexOf(a.size) - sizes.indexOf(b.size) || key(a) - key(b);
}

/** A row's offline batch with the most images per second. */
export function bestOffline(r: BackendRun): OfflineResult | undefined {
  return (r.offline ?? [])
    .filter((o) => o.imagesPerSecond !== undefined)
    .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
}

export const measured = (r: BackendRun): boolean => r.status === 'ok' || r.status === 'partial';
