import { describe, expect, it } from 'vitest';
import { SizeClock } from './size-clock.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SizeClock', () => {
  it("adds up each size's steps, interleaved, in whole milliseconds", async () => {
    const clock = new SizeClock();
    const t0 = performance.now();
    await clock.time(224, () => pause(30));
    await clock.time(100, () => pause(10));
    expect(await clock.time(224, async () => 'the step answers')).toBe('the step answers');
    await clock.time(224, () => pause(20));
    const total = performance.now() - t0;
    const bySize = clock.bySize();
    expect(Object.keys(bySize)).toEqual(['100', '224']);
    expect(bySize['224']).toBeGreaterThanOrEqual(49);
    expect(bySize['100']).toBeGreaterThanOrEqual(9);
    expect(Number.isInteger(bySize['224']) && Number.isInteger(bySize['100'])).toBe(true);
    expect(bySize['224'] + bySize['100']).toBeLessThanOrEqual(total);
  });

  it('counts a step that throws, and lets the error through', async () => {
    const clock = new SizeClock();
    await expect(
      clock.time(67, async () => {
        await pause(5);
        throw new Error('the child crashed');
      }),
    ).rejects.toThrow('the child crashed');
    expect(clock.bySize()['67']).toBeGreaterThanOrEqual(4);
  });
});
