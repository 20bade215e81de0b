import { describe, expect, it } from 'vitest';
import type { BackendRun } from './schema.ts';
import { mergeRounds, roundOrder } from './rounds.ts';

const ROWS: Record<number, string[]> = { 67: ['tfjs-cpu', 'a', 'b', 'c', 'd'], 71: ['tfjs-cpu', 'a', 'b', 'c', 'd'] };
const order = (seed: number, round: number) =>
  roundOrder([67, 71], (size) => ROWS[size], (id) => id === 'tfjs-cpu', seed, round);

function row(p50: number, extra: Partial<BackendRun> = {}): BackendRun {
  const latency = { samples: 10, mean: p50, min: p50, max: p50, p50, p90: p50, p99: p50, sd: 0, moe: 0, rme: 0 };
  return {
    backend: 'a',
    label: 'a',
    engine: 'fixture',
    size: 67,
    status: 'ok',
    singleStream: { ...latency, gflops: 1 },
    offline: [{ batch: 8, latency: { ...latency, p50: p50 * 8 }, imagesPerSecond: 1000 / p50, rme: 1 }],
    ...extra,
  };
}

describe('rounds', () => {
  it('orders each round anew, repeatably, with the reference first at each size', () => {
    const rounds = [0, 1, 2, 3].map((r) => order(1, r));
    for (const round of rounds) {
      expect(round.map((s) => s.size).sort()).toEqual([67, 71]);
      for (const { size, rows } of round) {
        expect(rows[0]).toBe('tfjs-cpu');
        expect([...rows].sort()).toEqual([...ROWS[size]].sort()); // a permutation: nothing lost or repeated
      }
    }
    const flat = rounds.map((r) => JSON.stringify(r));
    expect(new Set(flat).size).toBeGreaterThan(1); // the orders differ between rounds
    expect(order(1, 2)).toEqual(order(1, 2)); // and are the same for the same seed and round
    expect(JSON.stringify(order(2, 0))).not.toBe(JSON.stringify(order(1, 0)));
  });

  it("keeps a row's median round and lists every round's figures", () => {
    const merged = mergeRounds([
      { run: row(12, { otherCores: 0.5 }), position: 3 },
      { run: row(10), position: 1 },
      { run: row(30), position: 5 },
    ]);
    expect(merged.singleStream!.p50).toBe(12);
    expect(merged.round).toBe(1);
    expect(merged.rounds).toEqual([
      { round: 1, position: 3, status: 'ok', singleStreamP50: 12, offline: [{ batch: 8, p50: 96, imagesPerSecond: 1000 / 12 }], otherCores: 0.5 },
      { round: 2, position: 1, status: 'ok', singleStreamP50: 10, offline: [{ batch: 8, p50: 80, imagesPerSecond: 100 }] },
      { round: 3, position: 5, status: 'ok', singleStreamP50: 30, offline: [{ batch: 8, p50: 240, imagesPerSecond: 1000 / 30 }] },
    ]);
    // an even count: the lower middle one, a round that happened
    expect(mergeRounds([10, 20, 30, 40].map((p, i) => ({ run: row(p), position: i + 1 }))).singleStream!.p50).toBe(20);
  });

  it('one round, or a row that never ran, is the row as it was', () => {
    const one = row(5);
    expect(mergeRounds([{ run: one, position: 1 }])).toBe(one);
    const unavailable: BackendRun = { backend: 'x', label: 'x', engine: 'f', size: 67, status: 'unavailable', reason: 'no' };
    expect(mergeRounds([{ run: unavailable, position: 2 }])).toBe(unavailable);
    const failed = { ...unavailable, status: 'failed' as const };
    // a round that failed still counts in the list, not as the median
    const merged = mergeRounds([
      { run: failed, position: 1 },
      { run: row(7), position: 2 },
      { run: row(9), position: 2 },
    ]);
    expect(merged.singleStream!.p50).toBe(7);
    expect(merged.round).toBe(2);
    expect(merged.rounds!.map((r) => r.status)).toEqual(['failed', 'ok', 'ok']);
  });
});
