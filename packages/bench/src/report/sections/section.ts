import type { BackendRun, BenchResults } from '../../results/schema.ts';
import type { GpuInputs } from '../gpu.ts';
import type { MachineResults } from '../machines.ts';

/** What else a report shows beside its own machine's results. */
export interface ReportExtras {
  /** the first machine's file as given (named in the other machines' section) */
  readonly file?: string;
  /** further results files: a section each and a table of ratios against this one (machines.ts) */
  readonly others?: readonly MachineResults[];
  /** the GPU harness run is one of `others`: the GPU section keeps only the kit's own figures */
  readonly gpuHarnessAmongOthers?: boolean;
}

/** Everything a section may read: the results and what follows from them, computed once per report. */
export interface ReportInput {
  readonly results: BenchResults;
  readonly gpu: GpuInputs | undefined;
  readonly extras: ReportExtras;
  readonly sizes: readonly number[];
  /** more than one input size: the tables get a Size column */
  readonly withSize: boolean;
  /** the rows that measured something (ok or partial) */
  readonly ran: readonly BackendRun[];
  /** the report's sections in order (the summary and the methodology gather theirs from it) */
  readonly sections: readonly ReportSection[];
}

/**
 * One part of results/report.md. Every part is optional: the report maps over its ordered list of sections three
 * times, for the summary's bullets (at each input size, then once after them), for the page's body, and for the
 * methodology's bullets. A section with nothing to say for a results file returns no lines.
 */
export interface ReportSection {
  /** what it is about, for tests and readers (the module's name) */
  readonly name: string;
  /** the summary's bullets ("- **...:** ...") at one input size */
  readonly summaryAt?: (input: ReportInput, size: number) => readonly string[];
  /** lines closing the summary, after every size */
  readonly summaryEnd?: (input: ReportInput) => readonly string[];
  /** the section's own lines, its heading included and a blank line last */
  readonly body?: (input: ReportInput) => readonly string[];
  /** its bullets under Methodology */
  readonly methodology?: (input: ReportInput) => readonly string[];
}

/** A section's lines: its heading, then each paragraph (a table is one) followed by a blank line. */
export function sectionLines(heading: string, ...paragraphs: readonly string[]): string[] {
  return [`## ${heading}`, '', ...paragraphs.flatMap((p) => [p, ''])];
}

export { prose } from '../../text/prose.ts';
