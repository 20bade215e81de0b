import { otherMachinesSections } from '../machines.ts';
import type { ReportSection } from './section.ts';

/** The further results files the report was given: a section each, and the ratios between the machines. */
export const otherMachines: ReportSection = {
  name: 'other machines',
  body: ({ results, extras }) =>
    otherMachinesSections({ file: extras.file ?? 'results/bench/results.json', results }, extras.others ?? []),
};
