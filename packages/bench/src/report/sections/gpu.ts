import { gpuSection, gpuSummaryLines } from '../gpu.ts';
import type { ReportSection } from './section.ts';

/** On a GPU (another machine): the GPU kit's own figures, and the harness's run there unless shown as a machine. */
export const gpu: ReportSection = {
  name: 'on a GPU',
  summaryEnd: ({ results, gpu: inputs }) => gpuSummaryLines(results, inputs),
  body: ({ gpu: inputs, extras }) => gpuSection(inputs, extras.gpuHarnessAmongOthers ?? false),
};
