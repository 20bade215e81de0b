import type { BackendRun } from '../../results/schema.ts';
import { mib } from '../format.ts';
import { rowsWith } from '../rows.ts';
import { sizedRow, sizedTable } from '../sized-table.ts';
import { prose, sectionLines, type ReportSection } from './section.ts';

const METHOD = prose`- **Memory.** Peak RSS is \`process.resourceUsage().maxRSS\` of the child at the end: it includes Node, the
  loader and the harness (the RSS before the engine loaded is shown beside it). WASM heap is the summed size of every
  \`WebAssembly.Memory\` the engine created (the child wraps \`WebAssembly.Memory\` and \`WebAssembly.instantiate\`
  before any engine loads); WASM memories never shrink, so the size at the end is the peak. onnxruntime-web with
  threads has one shared memory. Native engines (onnxruntime-node, tfjs-node) and Dawn allocate outside JavaScript:
  their memory shows in RSS only.`;

/** The row's label, with whose memory it is when that is not the bench's child. */
function whose(r: BackendRun): string {
  if (r.remote) return `${r.label} (the HTTP client; the server's memory is not visible)`;
  if (r.browser) return `${r.label.replace(/ \(browser\)$/, '')} (browser: the page's renderer process)`;
  return r.label;
}

const COLUMNS = ['peak RSS (MiB)', 'RSS before the engine loaded', 'WASM heap (MiB)'];

function memoryTable(runs: readonly BackendRun[], sizes: readonly number[], withSize: boolean): string {
  const rows = rowsWith(runs, sizes, (r) => r.memory, 'peakRssBytes').map(([r, m]) =>
    sizedRow(r, [mib(m.peakRssBytes), mib(m.startRssBytes), r.remote ? '—' : mib(m.wasmHeapBytes)], whose(r)),
  );
  return sizedTable(withSize, COLUMNS, rows);
}

/** Peak RSS and WebAssembly memory per row. */
export const memory: ReportSection = {
  name: 'memory',
  body: ({ ran, sizes, withSize }) => sectionLines('Memory', memoryTable(ran, sizes, withSize)),
  methodology: () => [METHOD],
};
