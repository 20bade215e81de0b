import { describe, expect, it } from 'vitest';
import { fitScheduleSteps, type ScheduleFitInput } from './fit-schedule.ts';

const BASE: ScheduleFitInput = {
  globalStep: 10,
  stepInEpoch: 10,
  stepsPerEpoch: 100,
  plannedSteps: 1000,
  stepSeconds: 0.5,
  remainingSeconds: 100,
  epochEndSeconds: 5,
  testEveryEpoch: true,
};

describe('fitting the schedule to a time budget', () => {
  it('fits the steps and the final test pass into the remaining seconds', () => {
    // 90 steps end the epoch in progress (a pass, 5 s), the final pass is another 5 s: 90 s for 180 steps of 0.5 s.
    expect(fitScheduleSteps(BASE)).toEqual({ totalSteps: 190, reservedSeconds: 10 });
  });

  it('counts no pass at the epoch ends crossed when only the end is tested', () => {
    expect(fitScheduleSteps({ ...BASE, testEveryEpoch: false })).toEqual({ totalSteps: 200, reservedSeconds: 5 });
  });

  it('an epoch end that is the last step costs one pass, not two', () => {
    // 90 steps (45 s) end exactly at the epoch's end: 45 + 5 = 50 s
    expect(fitScheduleSteps({ ...BASE, remainingSeconds: 50 })).toEqual({ totalSteps: 100, reservedSeconds: 5 });
    // one step more crosses that end and pays its pass: 45.5 + 10 > 50.5
    expect(fitScheduleSteps({ ...BASE, remainingSeconds: 50.5 })).toEqual({ totalSteps: 100, reservedSeconds: 5 });
  });

  it('never goes beyond the planned steps, and always takes one more step', () => {
    expect(fitScheduleSteps({ ...BASE, remainingSeconds: 1e9 }).totalSteps).toBe(1000);
    expect(fitScheduleSteps({ ...BASE, remainingSeconds: 0 }).totalSteps).toBe(11);
  });
});
