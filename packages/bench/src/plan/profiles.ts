import { SCENARIO_NAMES, type ScenarioName } from '../child/protocol.ts';

/**
 * How long to measure. Every loop is time-budgeted with a minimum number of calls, so a slow backend (tfjs
 * cpu: seconds per 224 px image) still gets a sample count and a margin of error, and a fast one many samples.
 */
export interface Profile {
  readonly name: string;
  readonly description: string;
  /** extra input sizes beside the trained one */
  readonly extraSizes: readonly number[];
  readonly scenarios: readonly ScenarioName[];
  /** warm-up runs until both `warmupTimeMs` and `warmupIterations` are reached: engines tier their wasm up over the first calls */
  readonly singleStream: {
    readonly timeMs: number;
    readonly minIterations: number;
    readonly warmupIterations: number;
    readonly warmupTimeMs: number;
  };
  readonly offline: {
    readonly batches: readonly number[];
    readonly timeMs: number;
    readonly minIterations: number;
    readonly maxCallMs: number;
  };
  readonly agreement: {
    readonly images: number;
    readonly batch: number;
    /** the reference stops after this long (keeping at least minImages); the others use the count it reached */
    readonly referenceTimeMs: number;
    /**
     * every other row stops after this long too (keeping at least minImages): a browser row on a software GPU takes
     * seconds per image; the agreement then covers the images it reached, the first of the reference's
     */
    readonly othersTimeMs: number;
    readonly minImages: number;
  };
  /**
   * rounds of the single-stream scenario: round 1 runs every scenario; each further round runs single-stream alone
   * for every row, in a new seeded random order, each row in a fresh process (results/rounds.ts). Rows that
   * cannot be restarted cheaply (an edge build's Worker) or that take seconds an image keep their one round.
   */
  readonly singleStreamRounds: number;
  readonly childTimeoutMs: number;
  /** whether a run without `--backends` includes the catalog's `extended` rows (slow or duplicate browser rows) */
  readonly extendedRows: boolean;
  /** requests of the edge row's soak (runner-specific measurements; `npm run edge:soak` runs 10,000 on its own) */
  readonly soakRequests: number;
}

const ALL_SCENARIOS = SCENARIO_NAMES;

export const PROFILES: Readonly<Record<string, Profile>> = {
  default: {
    name: 'default',
    // The committed run's own duration is in results/bench/results.json (durationMs, and each size's in
    // durationMsBySize) and the README's generated bench block; the 15 minutes are the budget this profile is held
    // to, not a measurement.
    description:
      'every available backend at the trained size (browser rows: the five a page picks between), batch 1/8/32, ' +
      'single images in 3 rounds; within 15 minutes on 2 cores',
    extraSizes: [],
    scenarios: ALL_SCENARIOS,
    // Three single-stream rounds of 2 s each (6 s a row, 4 s before) in place of one of 4 s; the offline loops and
    // the reference's agreement budget shortened to pay for the restarts. The committed run of 2026-12-04 spent 16.6
    // of its 28.6 minutes at 224 px: a batch call over 5 s (15 s before; tfjs cpu at batch 8, the software GPUs at
    // batch 8 or 32, plain wasm at batch 32: 135 s there) and a soak of 500 requests (1,000 before: 60 s at 224 px)
    // bring one size back under 15 minutes; `full` keeps them.
    singleStream: { timeMs: 2000, minIterations: 10, warmupIterations: 3, warmupTimeMs: 1000 },
    offline: { batches: [1, 8, 32], timeMs: 2000, minIterations: 3, maxCallMs: 5000 },
    agreement: { images: 256, batch: 32, referenceTimeMs: 60_000, othersTimeMs: 30_000, minImages: 32 },
    singleStreamRounds: 3,
    childTimeoutMs: 8 * 60_000,
    extendedRows: false,
    soakRequests: 500,
  },
  full: {
    name: 'full',
    description: 'adds 224 and 96 px and batch 128, longer loops, 1000 agreement images',
    extraSizes: [224, 96],
    scenarios: ALL_SCENARIOS,
    singleStream: { timeMs: 10_000, minIterations: 30, warmupIterations: 5, warmupTimeMs: 3000 },
    offline: { batches: [1, 8, 32, 128], timeMs: 6000, minIterations: 5, maxCallMs: 600_000 },
    agreement: { images: 1000, batch: 50, referenceTimeMs: 20 * 60_000, othersTimeMs: 10 * 60_000, minImages: 100 },
    singleStreamRounds: 3,
    childTimeoutMs: 90 * 60_000,
    extendedRows: true,
    soakRequests: 10_000,
  },
  smoke: {
    name: 'smoke',
    description: 'seconds per backend: checks that the bench runs, measures nothing worth reading',
    extraSizes: [],
    scenarios: ALL_SCENARIOS,
    singleStream: { timeMs: 100, minIterations: 3, warmupIterations: 1, warmupTimeMs: 0 },
    offline: { batches: [1, 4], timeMs: 100, minIterations: 2, maxCallMs: 60_000 },
    agreement: { images: 8, batch: 4, referenceTimeMs: 60_000, othersTimeMs: 60_000, minImages: 4 },
    singleStreamRounds: 1,
    childTimeoutMs: 3 * 60_000,
    extendedRows: false,
    soakRequests: 60,
  },
};
