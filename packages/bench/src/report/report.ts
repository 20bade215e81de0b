import type { BenchResults } from '../results/schema.ts';
import type { GpuInputs } from './gpu.ts';
import { measured } from './rows.ts';
import { REPORT_SECTIONS } from './sections/index.ts';
import type { ReportExtras, ReportInput, ReportSection } from './sections/section.ts';

export type { ReportExtras } from './sections/section.ts';

/**
 * results/report.md from a results file: pure (same results, same text), so `npm run report` can regenerate it and
 * a golden test can pin it. The page is its sections' bodies in order (sections/index.ts).
 *
 * `gpu`: the committed results of another machine with a GPU (see gpu.ts), shown in a section of their own.
 * `extras.others`: more machines' results (machines.ts); without them the report is the one machine's.
 * `sections`: the list to render (a test's or a tool's own); the report's by default.
 */
export function renderReport(
  results: BenchResults,
  gpu?: GpuInputs,
  extras: ReportExtras = {},
  sections: readonly ReportSection[] = REPORT_SECTIONS,
): string {
  const sizes = results.settings.sizes;
  const input: ReportInput = {
    results,
    gpu,
    extras,
    sizes,
    withSize: sizes.length > 1,
    ran: results.runs.filter(measured),
    sections,
  };
  return sections.flatMap((s) => s.body?.(input) ?? []).join('\n');
}
