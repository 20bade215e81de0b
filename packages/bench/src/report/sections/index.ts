import { agreement } from './agreement.ts';
import { browser } from './browser.ts';
import { coldStart } from './cold-start.ts';
import { engineNotes } from './engine-notes.ts';
import { gpu } from './gpu.ts';
import { httpRows } from './http-rows.ts';
import { int8 } from './int8.ts';
import { latency } from './latency.ts';
import { machine } from './machine.ts';
import { memory } from './memory.ts';
import { methodology } from './methodology.ts';
import { notRun } from './not-run.ts';
import { otherMachines } from './other-machines.ts';
import { betweenRounds } from './rounds.ts';
import { runnerExtras } from './runner-extras.ts';
import type { ReportSection } from './section.ts';
import { summary } from './summary.ts';
import { throughput } from './throughput.ts';
import { title } from './title.ts';
import { wasmPeak } from './wasm-peak.ts';

/**
 * results/report.md, in order. The page is each section's body in this order; the summary gathers the sections'
 * bullets and the methodology their paragraphs, in this same order. A new section: a module beside this one that
 * exports a ReportSection, and its line here.
 */
export const REPORT_SECTIONS: readonly ReportSection[] = [
  title,
  summary,
  coldStart,
  latency,
  throughput,
  betweenRounds,
  int8,
  browser,
  wasmPeak,
  memory,
  runnerExtras,
  agreement,
  notRun,
  engineNotes,
  httpRows,
  machine,
  methodology,
  otherMachines,
  gpu,
];
