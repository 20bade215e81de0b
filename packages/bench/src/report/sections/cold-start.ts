import type { BackendRun } from '../../results/schema.ts';
import { ms } from '../format.ts';
import { rowsWith } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

const METHOD = prose`- **Cold start.** Measured in every child: *Node + loader* is Node's time origin (process start) to the
  harness starting the runner (Node, the tsx loader, harness modules); *engine init* imports the engine and initialises
  the backend (for tfjs this includes importing \`@nin-bench/core-nin/node\`); *weights load* reads and decodes the
  weights and uploads them or creates the session; *first inference* is one image end to end. Total = the four.
  Reading the test images is harness work and excluded. Before the first backend a throwaway process imports every
  TypeScript module once, so tsx's transpile cache is warm: the figures are a process start with warm disk caches (a
  service restarting), not the one-time transpile after a fresh checkout.`;

const COLUMNS = ['Node + loader', 'engine init', 'weights load', 'first inference', 'total (ms)'];

function coldStartTable(runs: readonly BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = rowsWith(runs, sizes, (r) => r.coldStart, 'totalMs').map(([r, c]) =>
    sizedRow(r, [c.processMs, c.initMs, c.loadMs, c.firstInferenceMs, c.totalMs].map(ms)),
  );
  return sizedTable(withSize, COLUMNS, rows);
}

/** From process start to the first result, in phases. */
export const coldStart: ReportSection = {
  name: 'cold start',
  body: ({ ran, sizes, withSize }) =>
    sectionLines(
      'Cold start (ms)',
      'From process start to the first result, in phases (see Methodology).',
      coldStartTable(ran, sizes, withSize),
    ),
  methodology: () => [METHOD],
};
