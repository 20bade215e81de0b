import { describe, expect, it } from 'vitest';
import { paidMonthlyUsd, paidUsdPerMillionRequests, planFor, workersCostSentence } from './workers-pricing.ts';

describe('Workers pricing', () => {
  it("reproduces the pricing page's worked example (15 M requests at 7 ms CPU: $8.00 a month)", () => {
    expect(paidMonthlyUsd(15_000_000, 7)).toBeCloseTo(8, 10);
    expect(paidMonthlyUsd(1_000, 7)).toBe(5); // within the included usage: the minimum
  });

  it('prices a million requests beyond the included usage: $0.30 + $0.02 per CPU ms', () => {
    expect(paidUsdPerMillionRequests(0)).toBeCloseTo(0.3, 10);
    expect(paidUsdPerMillionRequests(41.3)).toBeCloseTo(0.3 + 0.826, 10);
  });

  it('picks the cheapest plan whose CPU limit per request fits', () => {
    expect(planFor(9.9)).toBe('free');
    expect(planFor(10)).toBe('free');
    expect(planFor(10.1)).toBe('paid');
    expect(planFor(30_001)).toBe('paid, with limits.cpu_ms raised');
    expect(planFor(300_001)).toBe('none');
    expect(workersCostSentence(8.6)).toMatch(/^fits the Free plan .*\$0\.47 per million/);
    expect(workersCostSentence(41.3)).toMatch(/^needs Workers Paid .*\$1\.13 per million/);
  });
});
