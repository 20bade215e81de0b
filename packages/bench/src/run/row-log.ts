import type { CatalogEntry } from '../plan/catalog.ts';
import { mergeRounds, mergeSingleStreamRounds } from '../results/rounds.ts';
import type { BackendRun } from '../results/schema.ts';
import type { PlannedRow } from './plan.ts';

const rowKey = (size: number, entry: CatalogEntry) => `${size}\u0000${entry.id}`;

/** Each row's runs as the rounds finish them, one per round, with its place in that round's order. */
export class RowLog {
  readonly #runs = new Map<string, { run: BackendRun; position: number }[]>();
  #position = 0;

  /** a new round: places count from 1 again */
  newRound(): void {
    this.#position = 0;
  }

  add(run: BackendRun, entry: CatalogEntry): void {
    const key = rowKey(run.size, entry);
    this.#runs.set(key, [...(this.#runs.get(key) ?? []), { run, position: ++this.#position }]);
  }

  /** the row's first round, if it ran */
  first({ size, entry }: PlannedRow): BackendRun | undefined {
    return this.#runs.get(rowKey(size, entry))?.[0]?.run;
  }

  /**
   * One run per row that ran, in the plan's order whatever order the rounds ran in: with `--rounds`, the median
   * round with every round's figures; otherwise round 1 with the further single-stream rounds' latency.
   */
  merged(rows: readonly PlannedRow[], rounds: number): BackendRun[] {
    return rows.flatMap(({ size, entry }) => {
      const runs = this.#runs.get(rowKey(size, entry));
      if (!runs) return [];
      return [rounds === 1 && runs.length > 1 ? mergeSingleStreamRounds(runs) : mergeRounds(runs)];
    });
  }
}
