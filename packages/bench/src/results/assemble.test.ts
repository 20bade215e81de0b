import { describe, expect, it } from 'vitest';
import type { ChildOutcome } from '../child/spawn.ts';
import { createCatalog } from '../plan/catalog.ts';
import { agreementOf, assembleRun } from './assemble.ts';

const entry = createCatalog(2).find((e) => e.id === 'tfjs-wasm-simd')!;
const latency = { samples: 5, mean: 10, min: 9, max: 12, p50: 10, p90: 11, p99: 12, sd: 1, moe: 1.2, rme: 12 };
const ctx = { size: 96, multiplyAdds: 1e8, labels: [3, 1], referenceLogits: null };

describe('agreementOf', () => {
  it('counts top-1 hits against labels and compares logits with the reference', () => {
    const logits = [0, 0, 0, 5, 0, 0, 0, 0, 0, 0, /* image 2 */ 0, 1, 2, 0, 0, 0, 0, 0, 0, 0];
    const reference = [0, 0, 0, 4.5, 0, 0, 0, 0, 0, 0, /* image 2 */ 0, 2, 1, 0, 0, 0, 0, 0, 0, 0];
    expect(agreementOf(logits, [3, 1], reference)).toEqual({ images: 2, correct: 1, top1Accuracy: 0.5, maxAbsLogitDiff: 1, top1MatchesReference: 0.5 });
    expect(agreementOf(logits, [3, 2], null)).toMatchObject({ correct: 2, maxAbsLogitDiff: null, top1MatchesReference: null });
  });

  it('rejects more logits than labels', () => {
    expect(() => agreementOf(new Array(30).fill(0), [1], null)).toThrow(RangeError);
  });
});

describe('assembleRun', () => {
  const outcome = (messages: ChildOutcome['messages'], failure?: string): ChildOutcome => ({
    messages,
    failure,
    exitCode: failure ? 1 : 0,
    signal: null,
    wallMs: 1000,
  });
  const coldStart = { processMs: 1, initMs: 2, loadMs: 3, firstInferenceMs: 4, totalMs: 10, harnessDataMs: 1 };

  it('derives images/s and GFLOP/s from batch latency', () => {
    const { run } = assembleRun(entry, outcome([
      { type: 'cold-start', coldStart },
      { type: 'single-stream', latency },
      { type: 'offline', point: { batch: 8, latency, warmupMs: 12 } },
      { type: 'offline', point: { batch: 32, skipped: 'too slow' } },
      { type: 'done' },
    ]), ctx);
    expect(run.status).toBe('ok');
    expect(run.singleStream!.gflops).toBeCloseTo(20, 10); // 2 * 1e8 MAC * 100 img/s
    expect(run.offline).toEqual([
      { batch: 8, latency, imagesPerSecond: 800, rme: 12, gflops: 160 },
      { batch: 32, skipped: 'too slow' },
    ]);
  });

  it('keeps the measurements of a child that crashed later, as a partial row', () => {
    const killed = 'child process killed by SIGKILL during offline (batch 32)';
    const { run } = assembleRun(entry, outcome([{ type: 'cold-start', coldStart }, { type: 'single-stream', latency }], killed), ctx);
    expect(run.status).toBe('partial');
    expect(run.singleStream?.p50).toBe(10);
    expect(run.errors).toEqual(['child process killed by SIGKILL during offline (batch 32)']);
  });

  it('fails a row that never produced a result, with the reason', () => {
    const { run } = assembleRun(entry, outcome([{ type: 'error', scenario: 'load', message: 'corrupt weights' }, { type: 'done' }]), ctx);
    expect(run).toMatchObject({ status: 'failed', reason: 'load: corrupt weights' });
  });

  it('passes an unavailable backend through with its reason', () => {
    const { run } = assembleRun(entry, outcome([{ type: 'unavailable', reason: 'no SIMD' }, { type: 'done' }]), ctx);
    expect(run).toMatchObject({ status: 'unavailable', reason: 'no SIMD', backend: 'tfjs-wasm-simd' });
  });
});
