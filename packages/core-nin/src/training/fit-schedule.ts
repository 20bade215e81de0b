/** Steps of a run timed before its schedule is fitted: the first few compile shaders and warm caches, so they are skipped. */
export const FIT_SKIPPED_STEPS = 2;
export const FIT_TIMED_STEPS = 8;

export interface ScheduleFitInput {
  /** global step when fitting */
  readonly globalStep: number;
  /** steps already run in the epoch in progress */
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** every planned step (global): the fit never goes beyond */
  readonly plannedSteps: number;
  /** measured seconds per training step */
  readonly stepSeconds: number;
  /** seconds of the budget left */
  readonly remainingSeconds: number;
  /** what one test pass with its writes (weights, int8 copy, checkpoint, log) costs, at every epoch end and at the end */
  readonly epochEndSeconds: number;
  /** whether every epoch end is tested (else only the last) */
  readonly testEveryEpoch: boolean;
}

/**
 * The last global step that fits the budget: the steps left, the epoch ends they cross (each a test pass and writes
 * when every epoch is tested) and the final test pass and writes must all fit in the remaining seconds. At least one
 * more step, at most every planned one.
 */
export function fitScheduleSteps(i: ScheduleFitInput): { totalSteps: number; reservedSeconds: number } {
  const cost = (steps: number) => {
    // epoch ends strictly before the last step's (that one is the final pass, counted once below)
    const firstEnd = i.stepsPerEpoch - i.stepInEpoch;
    const crossed = i.testEveryEpoch && steps > firstEnd ? Math.ceil((steps - firstEnd) / i.stepsPerEpoch) : 0;
    const reserved = (crossed + 1) * i.epochEndSeconds;
    return { seconds: steps * i.stepSeconds + reserved, reserved };
  };
  let steps = 1;
  while (i.globalStep + steps < i.plannedSteps && cost(steps + 1).seconds <= i.remainingSeconds) steps++;
  return { totalSteps: i.globalStep + steps, reservedSeconds: cost(steps).reserved };
}
