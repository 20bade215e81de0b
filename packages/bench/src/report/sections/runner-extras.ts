import type { BackendRun } from '../../results/schema.ts';
import { extraValue, table } from '../format.ts';
import { bySizeThen } from '../rows.ts';
import type { ReportSection } from './section.ts';

/** Figures only a runner could take (scenario `extras`), as it reported them. */
function extrasTable(runs: readonly BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = runs
    .filter((r) => r.extras?.length)
    .sort(bySizeThen(sizes, () => 0))
    .flatMap((r) =>
      r.extras!.map((x) => [
        r.label,
        ...(withSize ? [String(r.size)] : []),
        x.name,
        extraValue(x),
        [x.verdict, x.note].filter(Boolean).join('. '),
      ]),
    );
  return table(
    ['Backend', ...(withSize ? ['Size'] : []), 'measurement', 'value', 'what it means, how it was taken'],
    rows,
    ['l', ...(withSize ? ['r' as const] : []), 'l', 'r', 'l'],
  );
}

/** Runner-specific measurements: what a runner measured itself because timing its calls cannot show it. */
export const runnerExtras: ReportSection = {
  name: 'runner-specific measurements',
  body: ({ ran, sizes, withSize }) =>
    ran.some((r) => r.extras?.length)
      ? [
          '## Runner-specific measurements',
          '',
          'Figures a runner takes itself because timing its calls cannot show them (scenario `extras`).',
          '',
          extrasTable(ran, sizes, withSize),
          '',
        ]
      : [],
};
