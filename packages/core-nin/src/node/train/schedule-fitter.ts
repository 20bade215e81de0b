import { FIT_SKIPPED_STEPS, FIT_TIMED_STEPS, fitScheduleSteps } from '../../training/fit-schedule.ts';
import type { TrainingSession } from './session.ts';

/** --fit-schedule: times the first steps of this invocation, then ends the schedule at the last step that fits. */
export interface ScheduleFitter {
  /** a new epoch: its first step (after a test pass) is not timed */
  epochStarted(): void;
  /** a step ended; `stepsThisRun` counts it */
  stepEnded(stepsThisRun: number): void;
  /** at the run's end: says so when too few steps ran to fit the schedule */
  runEnded(): void;
}

/**
 * The seconds from one step's end to the next's, so batch preparation and progress output count too; this
 * invocation's first steps are skipped, and so is the first step of each epoch (after a test pass). Does nothing
 * without `options.fitSchedule`.
 */
export function createScheduleFitter(session: TrainingSession): ScheduleFitter {
  const { options, trainer, recipe, data, now, log } = session;
  const fitTiming = options.fitTiming ?? { skip: FIT_SKIPPED_STEPS, timed: FIT_TIMED_STEPS };
  const timed: number[] = [];
  let lastStepEnd: number | null = null;

  const fitNow = () => {
    const stepSeconds = timed.reduce((a, b) => a + b, 0) / timed.length;
    // One test pass (forward only, about a third of a step per image; twice with the int8 copy) and the writes.
    const epochEndSeconds = (data.test.count / recipe.batchSize) * (stepSeconds / 3) * (options.int8 ? 2 : 1) + 2;
    const remainingSeconds = (session.deadline - now()) / 1000;
    const { totalSteps, reservedSeconds } = fitScheduleSteps({
      globalStep: trainer.state.globalStep,
      stepInEpoch: trainer.state.current.step,
      stepsPerEpoch: data.stepsPerEpoch,
      plannedSteps: data.stepsPerEpoch * trainer.recipe.epochs,
      stepSeconds,
      remainingSeconds,
      epochEndSeconds,
      testEveryEpoch: options.testEveryEpoch,
    });
    trainer.fitSchedule({
      totalSteps,
      stepSeconds: +stepSeconds.toFixed(4),
      remainingSeconds: +remainingSeconds.toFixed(1),
      reservedSeconds: +reservedSeconds.toFixed(1),
    });
    log(
      `\n--fit-schedule: ${stepSeconds.toFixed(3)} s per step, ${Math.round(remainingSeconds)} s left ` +
        `(${Math.round(reservedSeconds)} s of it for test passes and writes): the schedule ends at step ${totalSteps} ` +
        `(${(totalSteps / data.stepsPerEpoch).toFixed(2)} epochs) of ${data.stepsPerEpoch * trainer.recipe.epochs} planned`,
    );
  };

  return {
    epochStarted() {
      lastStepEnd = null;
    },
    stepEnded(stepsThisRun) {
      if (!options.fitSchedule || timed.length >= fitTiming.timed) return;
      const end = now();
      if (lastStepEnd !== null && stepsThisRun > fitTiming.skip) timed.push((end - lastStepEnd) / 1000);
      lastStepEnd = end;
      if (timed.length === fitTiming.timed) fitNow();
    },
    runEnded() {
      if (options.fitSchedule && timed.length < fitTiming.timed)
        log(
          `--fit-schedule: the run ended before ${fitTiming.skip + fitTiming.timed} steps could be timed; the schedule kept its planned horizon`,
        );
    },
  };
}
