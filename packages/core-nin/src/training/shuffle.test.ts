import { describe, expect, it } from 'vitest';
import { dropoutSeedFor, epochOrder } from './shuffle.ts';

describe('epoch order', () => {
  it('is a permutation, fixed by (seed, epoch), different across epochs and seeds', () => {
    const a = epochOrder(1000, 0, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(epochOrder(1000, 0, 0)).toEqual(a);
    expect(epochOrder(1000, 0, 1)).not.toEqual(a);
    expect(epochOrder(1000, 1, 0)).not.toEqual(a);
    // shuffled, not the identity
    expect(a.filter((v, i) => v === i).length).toBeLessThan(20);
  });

  it('gives every step of a run its own dropout seed', () => {
    const seeds = new Set(Array.from({ length: 5000 }, (_, s) => dropoutSeedFor(0, s)));
    expect(seeds.size).toBe(5000);
    expect(dropoutSeedFor(1, 0)).not.toBe(dropoutSeedFor(0, 0));
  });
});
