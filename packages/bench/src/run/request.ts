import type { LabelledImages } from '@nin-bench/core-nin';
import type { ScenarioName } from '../child/protocol.ts';
import type { Int8ModelSource } from '../int8-model.ts';
import type { CatalogEntry } from '../plan/catalog.ts';
import type { Profile } from '../plan/profiles.ts';
import type { Progress } from '../progress.ts';
import type { BenchResults } from '../results/schema.ts';

/** What a bench run is asked to do: the rows, the profile's loops, the weights and the test set. */
export interface BenchRequest {
  readonly profile: Profile;
  readonly entries: readonly CatalogEntry[];
  readonly scenarios: readonly ScenarioName[];
  /** input sizes; default: the trained size, then the profile's extra sizes */
  readonly sizes?: readonly number[];
  readonly weightsPath: string;
  /** the Fashion-MNIST test set (the first images are the fixed slice) */
  readonly testSet: LabelledImages;
  readonly childTimeoutMs?: number;
  readonly command: string;
  readonly progress: Progress;
  /**
   * run the whole plan this many times (default 1), each round in a new random order drawn from `seed`
   * (default 1); each row then carries its median round and every round's figures (results/rounds.ts)
   */
  readonly rounds?: number;
  readonly seed?: number;
  /** called with the results so far after every row, so that an interrupted run keeps what it measured */
  readonly checkpoint?: (partial: BenchResults) => Promise<void>;
  /**
   * the int8 model of a size and format, for int8 rows (default: the committed `nin export-onnx --int8` or `nin
   * export-tflite --int8` file of the weights run at that size, else calibrated now)
   */
  readonly int8Model?: Int8ModelSource;
}
