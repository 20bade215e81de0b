import { seededRandom } from '@nin-bench/core-nin/stats/seeded-random';
import type { BackendRun, RoundResult } from './schema.ts';

/**
 * `--rounds N`: the plan runs N times, each round in its own seeded random order, each row in a fresh child, so
 * that drift (a machine warming up, another job starting) spreads over every row instead of landing on the rows
 * that happened to run last. These are the pure parts: the order of a round and the merge of a row's rounds.
 */

/**
 * The order of one round: sizes shuffled, and within a size the reference first (the others are compared with
 * its logits, on the images it managed) and the rest shuffled. Fisher-Yates with a generator seeded by the run's
 * seed and the round, so a run is repeatable.
 */
export function roundOrder<T>(
  sizes: readonly number[],
  rowsOfSize: (size: number) => readonly T[],
  isReference: (row: T) => boolean,
  seed: number,
  round: number,
): { size: number; rows: T[] }[] {
  const random = seededRandom((seed * 0x9e3779b1 + round * 0x85ebca77) >>> 0);
  const shuffle = <U>(items: U[]): U[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  return shuffle([...sizes]).map((size) => {
    const rows = rowsOfSize(size);
    return { size, rows: [...rows.filter(isReference), ...shuffle(rows.filter((r) => !isReference(r)))] };
  });
}

const measured = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';

function bestImagesPerSecond(r: BackendRun): number | undefined {
  const best = Math.max(...(r.offline ?? []).map((o) => o.imagesPerSecond ?? -Infinity));
  return Number.isFinite(best) ? best : undefined;
}

/** One round's headline figures of a row (its offline figures unless the round measured single images only). */
function roundResult(run: BackendRun, position: number, round: number, keep = { offline: true }): RoundResult {
  return {
    round,
    position,
    status: run.status,
    ...(run.singleStream ? { singleStreamP50: run.singleStream.p50 } : {}),
    ...(keep.offline && run.offline?.some((o) => o.latency)
      ? {
          offline: run.offline
            .filter((o) => o.latency && o.imagesPerSecond !== undefined)
            .map((o) => ({ batch: o.batch, p50: o.latency!.p50, imagesPerSecond: o.imagesPerSecond! })),
        }
      : {}),
    ...(run.otherCores !== undefined ? { otherCores: run.otherCores } : {}),
  };
}

/**
 * One row from its rounds (in round order, with each one's place in its round): the median round's measurements
 * (by single-stream p50, else by best throughput; the lower middle one of an even count, so it is a round that
 * happened), with every round's headline figures beside them. One round, or fewer than two that measured
 * anything, is the row as it was.
 */
export function mergeRounds(rounds: readonly { readonly run: BackendRun; readonly position: number }[]): BackendRun {
  const ran = rounds.map((r, i) => ({ ...r, round: i + 1 })).filter((r) => measured(r.run));
  if (ran.length < 2) return (ran[0] ?? rounds[0]).run;
  const byLatency = ran.every((r) => r.run.singleStream);
  const key = (r: BackendRun) => (byLatency ? r.singleStream!.p50 : -(bestImagesPerSecond(r) ?? -Infinity));
  const sorted = [...ran].sort((a, b) => key(a.run) - key(b.run));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const results = rounds.map(({ run, position }, i) => roundResult(run, position, i + 1));
  return { ...median.run, round: median.round, rounds: results };
}

/**
 * One row from its single-stream rounds (the profile's `singleStreamRounds`): round 1 measured every scenario, the
 * others single-stream alone. The row keeps round 1's measurements, with the single-stream latency of its median
 * round (by p50; the lower middle one of an even count) and every round's p50 beside it. A row with fewer than two
 * rounds that measured single images is round 1 as it was.
 */
export function mergeSingleStreamRounds(
  rounds: readonly { readonly run: BackendRun; readonly position: number }[],
): BackendRun {
  const first = rounds[0].run;
  const timed = rounds.map((r, i) => ({ ...r, round: i + 1 })).filter((r) => measured(r.run) && r.run.singleStream);
  if (timed.length < 2 || !first.singleStream) return first;
  const sorted = [...timed].sort((a, b) => a.run.singleStream!.p50 - b.run.singleStream!.p50);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const results = rounds.map(({ run, position }, i) => roundResult(run, position, i + 1, { offline: false }));
  return { ...first, singleStream: median.run.singleStream, round: median.round, rounds: results };
}
