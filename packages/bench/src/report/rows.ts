import type { BackendRun, OfflineResult } from '../results/schema.ts';

/** Sorts rows by size (in the order the run measured them), then by `key` ascending. */
export function bySizeThen(sizes: readonly number[], key: (r: BackendRun) => number) {
  return (a: BackendRun, b: BackendRun) => sizes.indexOf(a.size) - sizes.indexOf(b.size) || key(a) - key(b);
}

/** The names of T's numeric properties. */
type NumberKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/**
 * The rows that measured `figure`, each beside it, by size (in the order the run measured them), then by the
 * figure's `key` ascending (in the rows' own order without one).
 */
export function rowsWith<T>(
  runs: readonly BackendRun[],
  sizes: readonly number[],
  figure: (r: BackendRun) => T | undefined,
  key?: NumberKey<T>,
): (readonly [BackendRun, T])[] {
  const keyOf = (f: T): number => (key === undefined ? 0 : (f[key] as number));
  return runs
    .flatMap((r) => {
      const f = figure(r);
      return f === undefined ? [] : [[r, f] as const];
    })
    .sort(([a, fa], [b, fb]) => sizes.indexOf(a.size) - sizes.indexOf(b.size) || keyOf(fa) - keyOf(fb));
}

/** A row's offline batch with the most images per second. */
export function bestOffline(r: BackendRun): OfflineResult | undefined {
  return (r.offline ?? [])
    .filter((o) => o.imagesPerSecond !== undefined)
    .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
}

export const measured = (r: BackendRun): boolean => r.status === 'ok' || r.status === 'partial';
