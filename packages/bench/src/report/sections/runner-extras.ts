import type { BackendRun } from '../../results/schema.ts';
import { extraValue } from '../format.ts';
import { rowsWith } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { sectionLines, type ReportSection } from './section.ts';

/** Figures only a runner could take (scenario `extras`), as it reported them. */
function extrasTable(runs: readonly BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = rowsWith(runs, sizes, (r) => (r.extras?.length ? r.extras : undefined)).flatMap(([r, extras]) =>
    extras.map((x) => sizedRow(r, [x.name, extraValue(x), [x.verdict, x.note].filter(Boolean).join('. ')])),
  );
  return sizedTable(withSize, ['measurement', 'value', 'what it means, how it was taken'], rows, {
    align: ['l', 'r', 'l'],
  });
}

/** Runner-specific measurements: what a runner measured itself because timing its calls cannot show it. */
export const runnerExtras: ReportSection = {
  name: 'runner-specific measurements',
  body: ({ ran, sizes, withSize }) =>
    ran.some((r) => r.extras?.length)
      ? sectionLines(
          'Runner-specific measurements',
          'Figures a runner takes itself because timing its calls cannot show them (scenario `extras`).',
          extrasTable(ran, sizes, withSize),
        )
      : [],
};
