import { Bench } from 'tinybench';
import { describe, expect, it } from 'vitest';
import { decodeSamples } from './samples.ts';
import { gflopsPerSecond, quantileSorted, summarizeTask, throughputFromLatency } from './summary.ts';

/** Runs tinybench on a task whose samples are exactly `durations` (ms), as the bench's loops run it. */
async function benchOfKnownSamples(durations: number[]) {
  let i = 0;
  const bench = new Bench({ time: 0, iterations: durations.length, warmup: false, retainSamples: true, throws: true });
  bench.add('known', () => ({ overriddenDuration: durations[i++] }), { async: false });
  await bench.run();
  return bench.tasks[0];
}

describe('statistics pipeline (tinybench -> LatencySummary)', () => {
  it('summarises known samples: percentiles, min, count and the 95% margin of error', async () => {
    const task = await benchOfKnownSamples([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    const s = summarizeTask(task);
    expect(s.samples).toBe(10);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10);
    expect(s.mean).toBeCloseTo(5.5, 12);
    expect(s.p50).toBeCloseTo(5.5, 12);
    // type-7 quantile on 1..10: position 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9)
    expect(s.p90).toBeCloseTo(9.1, 12);
    expect(s.p99).toBeCloseTo(9.91, 12);
    // sd of 1..10 is sqrt(55/6); t(0.975, df=9) = 2.2622
    const sd = Math.sqrt(55 / 6);
    expect(s.sd).toBeCloseTo(sd, 10);
    expect(s.moe).toBeCloseTo((2.2622 * sd) / Math.sqrt(10), 3);
    expect(s.rme).toBeCloseTo((100 * s.moe) / 5.5, 10);
  });

  it('keeps every sample, sorted, for comparing runs later', async () => {
    const s = summarizeTask(await benchOfKnownSamples([10, 1, 9, 2, 8, 3, 7, 4, 6, 5.25]));
    expect([...decodeSamples(s.samplesFloat32Base64!)]).toEqual([1, 2, 3, 4, 5.25, 6, 7, 8, 9, 10]);
  });

  it('reads p90 off the same curve as tinybench reads its own percentiles', async () => {
    const durations = Array.from({ length: 37 }, (_, k) => ((k * 7919) % 101) / 3 + 1);
    const task = await benchOfKnownSamples(durations);
    const latency = task.result.state === 'completed' ? task.result.latency : undefined;
    const sorted = [...durations].sort((a, b) => a - b);
    expect(quantileSorted(sorted, 0.5)).toBeCloseTo(latency!.p50, 12);
    expect(quantileSorted(sorted, 0.75)).toBeCloseTo(latency!.p75, 12);
    expect(quantileSorted(sorted, 0.99)).toBeCloseTo(latency!.p99, 12);
  });

  it('reports the error of a task that threw instead of numbers', async () => {
    const bench = new Bench({ time: 0, iterations: 2, warmup: false, retainSamples: true });
    bench.add(
      'broken',
      () => {
        throw new Error('kernel exploded');
      },
      { async: false },
    );
    await bench.run();
    expect(() => summarizeTask(bench.tasks[0])).toThrow('kernel exploded');
  });

  it('rejects quantiles of nothing and outside [0,1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1, 2], 1.5)).toThrow(RangeError);
    expect(quantileSorted([4], 0.9)).toBe(4);
  });

  it('turns batch latency into images/s and GFLOP/s (2 FLOP per multiply-add)', async () => {
    const s = summarizeTask(await benchOfKnownSamples([100, 100, 100]));
    expect(throughputFromLatency(8, s).imagesPerSecond).toBeCloseTo(80, 10);
    expect(gflopsPerSecond(762_297_352, 10)).toBeCloseTo(15.24594704, 8);
  });
});
