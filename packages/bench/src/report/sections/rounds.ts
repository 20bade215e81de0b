import { quantileSorted } from '../../stats/summary.ts';
import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { ms, sig } from '../format.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

/** `--rounds N`: each row's figures across rounds: their median and how far apart the rounds were. */

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length < 2) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantileSorted(sorted, 0.5), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** (max - min) / median, percent: how much the rounds disagree. */
const spreadPercent = (s: Spread) => `${sig((100 * (s.max - s.min)) / s.median, 2)}%`;

export const hasRounds = (results: BenchResults): boolean => results.runs.some((r) => r.rounds?.length);

type RoundsRow = BackendRun & { rounds: NonNullable<BackendRun['rounds']> };

const P50_COLUMNS = ['p50 median (ms)', 'p50 range', 'spread'];
const BEST_COLUMNS = ['best images/s median', 'range', 'spread'];
const COLUMNS = ['rounds', ...P50_COLUMNS, ...BEST_COLUMNS, 'round shown', 'place in each round'];

/** A row's cells in COLUMNS order: its rounds' single-stream p50 and best images/s, their medians and spread. */
function roundsCells(r: RoundsRow): string[] {
  const p50 = spreadOf(r.rounds.flatMap((x) => (x.singleStreamP50 === undefined ? [] : [x.singleStreamP50])));
  const best = spreadOf(
    r.rounds.flatMap((x) => (x.offline?.length ? [Math.max(...x.offline.map((o) => o.imagesPerSecond))] : [])),
  );
  return [
    String(r.rounds.length),
    p50 ? ms(p50.median) : '—',
    p50 ? `${ms(p50.min)}–${ms(p50.max)}` : '—',
    p50 ? spreadPercent(p50) : '—',
    best ? sig(best.median) : '—',
    best ? `${sig(best.min)}–${sig(best.max)}` : '—',
    best ? spreadPercent(best) : '—',
    String(r.round ?? '—'),
    r.rounds.map((x) => x.position).join(', '),
  ];
}

function roundsTable(results: BenchResults, sizes: readonly number[], withSize: boolean): string {
  const rounds = results.settings.rounds;
  const rows = results.runs
    .filter((r): r is RoundsRow => (r.rounds?.length ?? 0) > 0)
    .sort((a, b) => sizes.indexOf(a.size) - sizes.indexOf(b.size));
  const body = rows.map((r) => sizedRow(r, roundsCells(r)));
  const count = rounds?.count ?? Math.max(...rows.map((r) => r.rounds.length));
  const singleStream = results.settings.singleStreamRounds;
  const intro = singleStream
    ? prose`Single images ran in ${singleStream.count} rounds (seed ${singleStream.seed}): round 1 measured every
      scenario, each further round single-stream alone, every row in a fresh process, each round in a new random
      order. Edge builds (a Worker's restart costs more than its loop) and rows whose minimum calls outlast the loop
      (seconds an image) kept one round and are not listed. The latency tables show each row's median round; here are
      the medians across rounds and the spread between them: (max − min) / median. A spread far above a row's margin
      of error means the machine changed between rounds (other work, heat), which one round cannot see.`
    : prose`The whole plan ran ${count} times${rounds ? ` (seed ${rounds.seed})` : ''}, each round in a new random order
      (the reference first at each size), each row in a fresh process. The tables above show each row's median round
      (by single-stream p50); here are the medians across rounds and the spread between them: (max − min) / median. A
      spread far above a row's margin of error means the machine changed between rounds (other work, heat), which one
      round cannot see.`;
  return [intro, '', sizedTable(withSize, COLUMNS, body)].join('\n');
}

/** `--rounds N`: how far apart the rounds were. */
export const betweenRounds: ReportSection = {
  name: 'between rounds',
  body: ({ results, sizes, withSize }) =>
    hasRounds(results) ? sectionLines('Between rounds', roundsTable(results, sizes, withSize)) : [],
};
