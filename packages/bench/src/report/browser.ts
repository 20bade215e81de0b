import type { BackendRun, BenchResults } from '../results/schema.ts';
import { ms, sig, small, times } from './format.ts';
import { bestOffline } from './int8.ts';

/**
 * The browser rows (a web page in headless Chromium, runners/browser.ts): the summary's answer to "in a web page,
 * use ...", and what their figures mean. Pure, like the rest of the report.
 */

const measured = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';

export function hasBrowserRows(results: BenchResults): boolean {
  return results.runs.some((r) => r.browser && measured(r));
}

/** "Chromium 156.0.8078.114 (headless)" from a row's facts, if it has them. */
const browserName = (r: BackendRun): string | undefined =>
  (r.facts?.details.browser as string | undefined) ?? undefined;

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
  const one = rows.find((r) => r.backend === 'browser-tfjs-wasm-simd-1t')?.singleStream;
  const threaded = rows.find((r) => r.backend === 'browser-tfjs-wasm-simd-all');
  if (one && threaded?.singleStream) {
    const ratio = one.p50 / threaded.singleStream.p50;
    parts.push(
      `tfjs wasm SIMD on ${threaded.facts?.details.threads ?? 'all'} threads against 1: p50 ${ms(threaded.singleStream.p50)} ms against ${ms(one.p50)} ms, ${ratio >= 1 ? `${times(ratio)} as fast` : `${times(1 / ratio)} as slow`} (threads exist for tfjs only in a page).`,
    );
  }
  const software = rows.filter((r) => r.facts?.details.software === true && r.singleStream);
  if (software.length) {
    const adapters = [...new Set(software.map((r) => String(r.facts!.details.adapter)))];
    parts.push(
      `${software.map((r) => `${r.label.replace(/ \(browser\)$/, '')} ${ms(r.singleStream!.p50)} ms`).join(', ')} ran on a software adapter (${adapters.join('; ')}): a CPU emulating a GPU, not a GPU.`,
    );
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
export function browserMethodology(results: BenchResults): string[] {
  if (!hasBrowserRows(results)) return [];
  const names = [...new Set(results.runs.map(browserName).filter(Boolean))];
  return [
    `- **Browser rows** (marked "(browser)") run the same model in a web page in headless Chromium (${names.join(', ') || "the system's"}), driven by playwright-core from the row's Node child. The bench serves the page from 127.0.0.1 with \`Cross-Origin-Opener-Policy: same-origin\` and \`Cross-Origin-Embedder-Policy: require-corp\`, so it is cross-origin isolated (SharedArrayBuffer, hence WebAssembly threads); the page's code (the core's model and the engine) is bundled by esbuild, the engines' wasm binaries come from node_modules, nothing from the network. Every call is timed **inside the page** with \`performance.now()\` around the engine's work (input tensor from a \`Float32Array\` already in the page, forward pass, logits back in the page's JavaScript memory): the DevTools round trip and copying the logits to Node are not counted. Cold start: the *Node + loader* column is, for these rows, navigation start to the page's script running; engine init, weights load (fetching the file from the local server included, as Node rows read theirs) and first inference are timed in the page; launching Chromium (\`browserLaunchMs\` under Machine and versions) is left out, as a visitor's browser is already running. Memory: peak RSS of the page's renderer process (VmHWM) against its RSS once the page had loaded, and the page's own count of WebAssembly memories. tfjs wasm threads: \`setThreadsCount\` is set to the row's count (tfjs would take half of \`navigator.hardwareConcurrency\`), and since tfjs-backend-wasm also caps its XNNPACK pool at half of \`navigator.hardwareConcurrency\` (it assumes two hardware threads per core: on a 2-core machine the pool had 1 thread whatever was asked), the page reports twice the row's count to tfjs before the backend starts; each row records the pool tfjs made (\`poolThreads\`) and fails if it differs from its count. WebGL and WebGPU use the browser's adapter, named in each row's facts with \`software: true\` when it is a CPU implementation (SwiftShader); WebGPU needs \`--enable-unsafe-webgpu\` on Linux.`,
  ];
}
