/**
 * Each input size's own wall time in a run of several sizes (results' `durationMsBySize`): what a run at one size
 * alone would take, model preparation and every round included. The steps of a size are timed one by one with
 * performance.now(), because the rounds interleave the sizes.
 */
export class SizeClock {
  readonly #ms = new Map<number, number>();

  /** Runs `step` and adds its wall time to `size`'s. */
  async time<T>(size: number, step: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      this.#ms.set(size, (this.#ms.get(size) ?? 0) + performance.now() - t0);
    }
  }

  /**
   * Whole milliseconds by size (as object keys, the sizes come out in ascending order). Rounded down, so that
   * they never add up to more than the run's own duration measured around them.
   */
  bySize(): Record<string, number> {
    return Object.fromEntries([...this.#ms].map(([size, ms]) => [String(size), Math.floor(ms)]));
  }
}
