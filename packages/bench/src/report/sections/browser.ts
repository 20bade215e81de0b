import { ms, sig, small, times } from '../format.ts';
import { catalogEntry, type CatalogEntry } from '../../plan/catalog.ts';
import type { BackendRun, BenchResults } from '../../results/schema.ts';
import { runsIn } from '../declared.ts';
import { bestOffline, measured } from '../rows.ts';
import { prose, type ReportSection } from './section.ts';

/**
 * The browser rows (a web page in headless Chromium, runners/browser.ts): the summary's answer to "in a web page,
 * use ...", and what their figures mean. Pure, like the rest of the report.
 */

export function hasBrowserRows(results: BenchResults): boolean {
  return results.runs.some((r) => r.browser && measured(r));
}

/** "Chromium 156.0.8078.114 (headless)" from a row's facts, if it has them. */
export const browserName = (r: BackendRun): string | undefined =>
  (r.facts?.details.browser as string | undefined) ?? undefined;

/** The row's label without " (browser)". */
const pageLabel = (r: BackendRun) => r.label.replace(/ \(browser\)$/, '');

/** A row's thread count: its facts' (this run's), else its declaration's. */
function threadsOf(run: BackendRun): number | undefined {
  const t = run.facts?.details.threads;
  return typeof t === 'number' ? t : catalogEntry(run.backend)?.threads;
}

/** Two declarations that differ only in their thread count. */
function sameButThreads(a: CatalogEntry, b: CatalogEntry): boolean {
  const rest = (e: CatalogEntry) => JSON.stringify({ ...e.options, threads: undefined, model: e.model });
  return a.engine === b.engine && rest(a) === rest(b);
}

/**
 * The page's one-thread and several-thread rows of an engine whose several threads did not run in Node (tfjs wasm:
 * tfjs-backend-wasm turns threads off there): what a page gives that Node cannot. Declarations from the registry;
 * none for rows it does not know.
 */
function pageOnlyThreads(
  results: BenchResults,
  rows: readonly BackendRun[],
): { one: BackendRun; threaded: BackendRun; name: string } | null {
  for (const one of rows.filter((r) => threadsOf(r) === 1 && r.singleStream)) {
    const oneEntry = catalogEntry(one.backend);
    const threaded = rows.find((r) => {
      const entry = catalogEntry(r.backend);
      return r.singleStream && (threadsOf(r) ?? 1) > 1 && oneEntry && entry && sameButThreads(oneEntry, entry);
    });
    if (!threaded) continue;
    const inNode = results.runs.filter(
      (r) => runsIn(r) === 'node' && r.engine === one.engine && (catalogEntry(r.backend)?.threads ?? 1) > 1,
    );
    if (inNode.length === 0 || inNode.some(measured)) continue;
    return { one, threaded, name: one.label.replace(/ 1 thread \(browser\)$/, '') };
  }
  return null;
}

/** The summary line for one size, or null without browser rows there. */
export function browserSummaryLine(results: BenchResults, size: number): string | null {
  const rows = results.runs.filter((r) => r.browser && r.size === size && measured(r));
  if (rows.length === 0) return null;
  const latency = rows.filter((r) => r.singleStream).sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
  const throughput = rows
    .filter((r) => bestOffline(r))
    .sort((a, b) => bestOffline(b)!.imagesPerSecond! - bestOffline(a)!.imagesPerSecond!);
  const parts: string[] = [];
  const best = latency[0];
  if (best)
    parts.push(
      `use **${best.label}**: p50 ${ms(best.singleStream!.p50)} ms per image${browserName(best) ? ` in ${browserName(best)}` : ''}.`,
    );
  const tput = throughput[0];
  if (tput) {
    const b = bestOffline(tput)!;
    parts.push(`For batches: **${tput.label}** at batch ${b.batch}, ${sig(b.imagesPerSecond!)} images/s.`);
  }
  const pair = pageOnlyThreads(results, rows);
  if (pair) {
    const [one, threaded] = [pair.one.singleStream!, pair.threaded.singleStream!];
    const ratio = one.p50 / threaded.p50;
    const how = ratio >= 1 ? `${times(ratio)} as fast` : `${times(1 / ratio)} as slow`;
    parts.push(
      prose`${pair.name} on ${pair.threaded.facts?.details.threads ?? 'all'} threads against 1: p50 ${ms(threaded.p50)} ms
        against ${ms(one.p50)} ms, ${how} (threads exist for ${pair.threaded.engine} only in a page).`,
    );
  }
  const software = rows.filter((r) => r.facts?.details.software === true && r.singleStream);
  if (software.length) {
    const adapters = [...new Set(software.map((r) => String(r.facts!.details.adapter)))];
    const list = software.map((r) => `${pageLabel(r)} ${ms(r.singleStream!.p50)} ms`).join(', ');
    parts.push(`${list} ran on a software adapter (${adapters.join('; ')}): a CPU emulating a GPU, not a GPU.`);
  }
  const diffs = rows
    .filter((r) => !r.int8Of)
    .map((r) => r.agreement?.maxAbsLogitDiff)
    .filter((d): d is number => typeof d === 'number');
  if (diffs.length)
    parts.push(`Largest |Δ logit| from tfjs cpu among the float32 browser rows: ${small(Math.max(...diffs))}.`);
  return `- **In a web page:** ${parts.join(' ')}`;
}

/** What the browser rows' figures mean (Methodology). */
function browserMethod(names: readonly string[]): string {
  return prose`- **Browser rows** (marked "(browser)") run the same model in a web page in headless Chromium
    (${names.join(', ') || "the system's"}), driven by playwright-core from the row's Node child. The bench serves the
    page from 127.0.0.1 with \`Cross-Origin-Opener-Policy: same-origin\` and \`Cross-Origin-Embedder-Policy:
    require-corp\`, so it is cross-origin isolated (SharedArrayBuffer, hence WebAssembly threads); the page's code (the
    core's model and the engine) is bundled by esbuild, the engines' wasm binaries come from node_modules, nothing from
    the network. Every call is timed **inside the page** with \`performance.now()\` around the engine's work (input
    tensor from a \`Float32Array\` already in the page, forward pass, logits back in the page's JavaScript memory): the
    DevTools round trip and copying the logits to Node are not counted. Cold start: the *Node + loader* column is, for
    these rows, navigation start to the page's script running; engine init, weights load (fetching the file from the
    local server included, as Node rows read theirs) and first inference are timed in the page; launching Chromium
    (\`browserLaunchMs\` under Machine and versions) is left out, as a visitor's browser is already running. Memory:
    peak RSS of the page's renderer process (VmHWM) against its RSS once the page had loaded, and the page's own count
    of WebAssembly memories. tfjs wasm threads: \`setThreadsCount\` is set to the row's count (tfjs would take half of
    \`navigator.hardwareConcurrency\`), and since tfjs-backend-wasm also caps its XNNPACK pool at half of
    \`navigator.hardwareConcurrency\` (it assumes two hardware threads per core: on a 2-core machine the pool had 1
    thread whatever was asked), the page reports twice the row's count to tfjs before the backend starts; each row
    records the pool tfjs made (\`poolThreads\`) and fails if it differs from its count. WebGL and WebGPU use the
    browser's adapter, named in each row's facts with \`software: true\` when it is a CPU implementation (SwiftShader);
    WebGPU needs \`--enable-unsafe-webgpu\` on Linux.`;
}

/** The browser rows: no section of their own (their figures sit in every table), a summary bullet and a paragraph. */
export const browser: ReportSection = {
  name: 'browser rows',
  summaryAt: ({ results }, size) => {
    const line = browserSummaryLine(results, size);
    return line ? [line] : [];
  },
  methodology: ({ results }) =>
    hasBrowserRows(results)
      ? [browserMethod([...new Set(results.runs.map(browserName).filter(Boolean))] as string[])]
      : [],
};
