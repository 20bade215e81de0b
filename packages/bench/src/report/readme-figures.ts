// Figures in the READMEs are generated, never typed: each README marks a block with
//   <!-- figures:NAME -->  ...  <!-- /figures:NAME -->
// and `npm run report` (or `npm run bench` writing into the repository's results/) rewrites what lies between
// from the committed results: the bench's results.json and the committed weights' own manifests and metadata.
// A test checks that the committed READMEs match what these renderers make from the committed files, so a
// hand-edited or stale figure fails `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOnnxMetadata } from '@nin-bench/core-nin/onnx';
import { MANIFEST_KEY, parseManifest, parseSafetensors, type NinManifest } from '@nin-bench/core-nin/weights';
import type { BackendRun, BenchResults } from '../results/schema.ts';
import { WORKERS_PLANS } from '../edge/workers-pricing.ts';
import { edgeBaselineEntry } from '../plan/catalog.ts';
import { browserSummaryLine } from './sections/browser.ts';
import { EDGE_ACCURACY_TARGET, chooseEdgeBuild, edgeBuildFigures, type EdgeBuildFigures } from './edge-choice.ts';
import { wasmArithmetic } from './declared.ts';
import { ms, sig, times } from './format.ts';
import { prose } from '../text/prose.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const WEIGHTS_DIR = join(REPO_ROOT, 'packages/core-nin/weights');
/** The READMEs that carry generated blocks, relative to the repository root. */
export const README_FILES = [
  'README.md',
  'packages/edge-api/README.md',
  'packages/core-nin/README.md',
  'packages/bench/README.md',
] as const;

/** One committed model file and what its own manifest or metadata records. */
export interface CommittedModel {
  readonly file: string;
  readonly bytes: number;
  readonly inputSize: number;
  /** float32 | float16 | int8 (safetensors: weights stored in int8, computed in float32) | int8-qdq (ONNX, computed in int8) */
  readonly storage: string;
  readonly testAccuracy: number | null;
  readonly manifest: NinManifest | null;
}

/** The models in packages/core-nin/weights, read from their own files. */
export function readCommittedModels(dir = WEIGHTS_DIR): CommittedModel[] {
  const out: CommittedModel[] = [];
  for (const name of readdirSync(dir).sort()) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    if (name.endsWith('.safetensors')) {
      const raw = parseSafetensors(bytes).metadata[MANIFEST_KEY];
      if (raw === undefined) continue;
      const manifest = parseManifest(raw);
      out.push({
        file: name,
        bytes: bytes.length,
        inputSize: manifest.inputSize,
        storage: manifest.storage,
        testAccuracy: manifest.accuracy?.test ?? null,
        manifest,
      });
    } else if (name.endsWith('.onnx')) {
      const meta = readOnnxMetadata(bytes);
      const accuracy = meta.accuracy ? (JSON.parse(meta.accuracy) as { test?: number }) : null;
      out.push({
        file: name,
        bytes: bytes.length,
        inputSize: Number(meta.input_size),
        storage: 'int8-qdq',
        testAccuracy: accuracy?.test ?? null,
        manifest: null,
      });
    }
  }
  return out;
}

const acc = (x: number | null | undefined) => (x === null || x === undefined ? 'not measured' : x.toFixed(4));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** How a float32 model was trained, in a few words, from its manifest's recipe and provenance. */
export function trainingSummary(m: NinManifest): string {
  const r = (m.recipe ?? {}) as Record<string, unknown>;
  const p = (m.provenance ?? {}) as Record<string, unknown>;
  const epochs = typeof r.epochsDone === 'number' ? r.epochsDone.toFixed(2) : (r.epochsRun ?? r.epochs);
  const optimizer = typeof r.optimizer === 'string' ? r.optimizer.split(',')[0] : 'sgd';
  const extras = [
    r.schedule,
    (r.augment as { shift?: number } | undefined)?.shift ? 'shift+flip augmentation' : '',
    r.distill ? 'distilled from the 224 px model' : '',
  ].filter(Boolean);
  const where =
    typeof p.adapter === 'string'
      ? `${String(p.backend)} on ${String(p.machine ?? p.adapter).split(',')[0]}`
      : `${String(p.backend ?? 'unknown backend')} on ${String(p.cpu ?? 'a CPU')}`;
  return `${String(epochs)} epoch${String(epochs) === '1' ? '' : 's'}, ${optimizer}${extras.length ? `, ${extras.join(', ')}` : ''}; ${where}`;
}

/** Block `models`: every committed model with its recorded test accuracy, float32 beside its int8 copies. */
export function modelsBlock(models: readonly CommittedModel[]): string {
  const rows = models
    .filter((m) => m.storage === 'float32')
    .sort((a, b) => b.inputSize - a.inputSize)
    .map((f) => {
      const stem = f.file.replace(/\.safetensors$/, '');
      const int8 = models.find((m) => m.file === `${stem}.int8.safetensors`);
      const qdq = models.find((m) => m.file === `${stem}.int8.onnx`);
      const files = [
        `\`${f.file}\` (${mb(f.bytes)})`,
        int8 ? `\`${int8.file}\` (${mb(int8.bytes)})` : '',
        qdq ? `\`${qdq.file}\` (${mb(qdq.bytes)})` : '',
      ]
        .filter(Boolean)
        .join('<br>');
      const trained = f.manifest ? trainingSummary(f.manifest) : '';
      const accuracies = [f, int8, qdq].map((x) => (x ? acc(x.testAccuracy) : '-')).join(' | ');
      return `| ${f.inputSize} px | ${files} | ${trained} | ${accuracies} |`;
    });
  return [
    '| input | files | trained | test accuracy, float32 | int8 weights | int8 compute (ONNX QDQ) |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
    'Test accuracy on all 10,000 Fashion-MNIST test images as recorded in each file by `nin eval --record` (ONNX: `nin eval --onnx F --record`).',
  ].join('\n');
}

const ok = (r: BackendRun) => r.status === 'ok' || r.status === 'partial';
const extra = (r: BackendRun, name: string) => r.extras?.find((e) => e.name === name);

/** The run in one line: where, when, what. */
function runLine(results: BenchResults): string {
  const m = results.machine;
  return prose`Committed run (\`results/bench/results.json\`, ${results.createdAt.slice(0, 10)}, profile
    \`${results.settings.profile}\`, ${m.cpuModel} ${m.cores} cores, Node ${m.node}, load average
    ${m.loadAverage.start[0]} at the start; it took ${(results.durationMs / 60_000).toFixed(1)} minutes)`;
}

/** Block `bench`: batch-1 p50 and best throughput of every row that ran, fastest first, per input size. */
export function benchBlock(results: BenchResults): string {
  const lines = [`${runLine(results)}:`, ''];
  for (const size of results.settings.sizes) {
    const rows = results.runs
      .filter((r) => r.size === size && ok(r) && r.singleStream)
      .sort((a, b) => a.singleStream!.p50 - b.singleStream!.p50);
    if (rows.length === 0) continue;
    lines.push(`| ${size} px | p50 batch 1 | best images/s |`, '| :--- | ---: | ---: |');
    for (const r of rows) {
      const best = (r.offline ?? [])
        .filter((o) => o.imagesPerSecond !== undefined)
        .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
      lines.push(
        `| ${r.label} | ${ms(r.singleStream!.p50)} ms | ${best ? `${sig(best.imagesPerSecond!)} (b=${best.batch})` : '-'} |`,
      );
    }
    lines.push('');
    // the browser rows' answer (threads against one thread, agreement with tfjs cpu), as in the report's summary
    const browser = browserSummaryLine(results, size);
    if (browser) lines.push(browser.replace(/^- \*\*In a web page:\*\*/, `**In a web page, ${size} px:**`), '');
  }
  // once per backend and reason; a row that ran at another size (an edge build runs at its own) is not missing
  const missing = results.runs.filter(
    (r, i, all) =>
      !ok(r) &&
      !all.some((o) => o.backend === r.backend && ok(o)) &&
      all.findIndex((o) => o.backend === r.backend && o.reason === r.reason) === i,
  );
  if (missing.length)
    lines.push(`Not run here: ${missing.map((r) => `${r.label} (${r.reason ?? r.status})`).join('; ')}.`);
  return lines.join('\n').trimEnd();
}

/** The in-process row the edge block's p50 is read against, as the registry declares it. */
const EDGE_BASELINE = edgeBaselineEntry();

const EDGE_COLUMNS = [
  'build',
  'served model: test accuracy',
  `p50 over HTTP (× bare ${EDGE_BASELINE.label})`,
  'Worker CPU per request',
  '× 224 px tfjs build',
  '× tfjs build, same size',
  'plan and cost',
  'soak',
];

const EDGE_NOTE = prose`Worker CPU: user + system time of the Worker's own workerd process per request (wrangler dev's entry
  proxy, which a deployment does not have, excluded). p50: single images over loopback HTTP straight to the Worker's
  socket, against the in-process tfjs wasm SIMD row at the same size. Test accuracy: the served model's own, on all
  10,000 test images.`;

/** `soak, 16 clients` and its verdict in a few words: passed, or what failed. */
function soakInWords(soak: { readonly name: string; readonly verdict?: string }): string {
  const verdict = String(soak.verdict ?? '').replace(/^soak (passed|FAILED)(: )?/, (_m, v: string) =>
    v === 'passed' ? 'passed, ' : 'FAILED: ',
  );
  return `${soak.name.replace(/^soak, /, '')}: ${verdict}`;
}

/** Block `edge`: each edge build's latency over HTTP, its Worker's own CPU per request, plan and cost; what to deploy. */
export function edgeBlock(results: BenchResults): string {
  // each build once: where it ran, else why not (a build runs only at its own size; the others say so)
  const edges = results.runs
    .filter(
      (r, i, all) =>
        r.remote &&
        (ok(r) ||
          (!all.some((o) => o.backend === r.backend && ok(o)) && all.findIndex((o) => o.backend === r.backend) === i)),
    )
    .sort((a, b) => Number(!ok(a)) - Number(!ok(b))); // those that ran first
  if (edges.length === 0) return `${runLine(results)}: no edge row.`;
  const figures = edgeBuildFigures(results);
  const of = (r: BackendRun) => figures.find((f) => f.run === r);
  // the float32 build (tfjs wasm SIMD) that the int8 builds are read against: the registry declares its arithmetic
  const floatBuild = (f: EdgeBuildFigures) => wasmArithmetic(f.run) === 'float32';
  const tfjs224 = figures.find((f) => f.size === 224 && floatBuild(f));
  const lines = [
    `${runLine(results)}:`,
    '',
    `| ${EDGE_COLUMNS.join(' | ')} |`,
    '| :--- | :--- | ---: | ---: | ---: | ---: | :--- | :--- |',
  ];
  for (const r of edges) {
    if (!ok(r)) {
      lines.push(`| ${r.label} | - | - | - | - | - | ${r.reason ?? r.status} | - |`);
      continue;
    }
    const f = of(r);
    const served = String(r.facts?.details.servedWeights ?? `${r.size} px`);
    const accuracy = f?.testAccuracy === null || f === undefined ? 'not reported' : f.testAccuracy.toFixed(4);
    const bare = results.runs.find((o) => o.backend === EDGE_BASELINE.id && o.size === r.size && o.singleStream);
    const p50 = r.singleStream
      ? `${ms(r.singleStream.p50)} ms${bare ? ` (${times(r.singleStream.p50 / bare.singleStream!.p50)})` : ''}`
      : '-';
    const sameSizeTfjs = figures.find((o) => o.size === r.size && floatBuild(o));
    const ratio = (to: EdgeBuildFigures | undefined) =>
      f && to && to !== f ? times(f.workerCpuMs / to.workerCpuMs) : '-';
    const verdict = extra(r, 'Worker CPU per request')?.verdict ?? '';
    // the soak's verdict in a few words: passed, or what failed; its request count and RSS per round are in the report
    const soak = r.extras?.find((e) => e.name.startsWith('soak, '));
    const soakText = soak ? soakInWords(soak) : '-';
    const cpu = f ? `${f.workerCpuMs} ms` : '-';
    const cells = [r.label, `${served}: ${accuracy}`, p50, cpu, ratio(tfjs224), ratio(sameSizeTfjs), verdict, soakText];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', deploySentence(results));
  lines.push('', EDGE_NOTE);
  return lines.join('\n');
}

/** Which build to deploy on which plan, by the run's measurements (see edge-choice.ts). */
function deploySentence(results: BenchResults): string {
  const free = chooseEdgeBuild(results, 'free');
  const paid = chooseEdgeBuild(results, 'paid');
  const name = (b: EdgeBuildFigures) =>
    `**${b.run.label}** (${b.workerCpuMs} ms of Worker CPU, test accuracy ${b.testAccuracy!.toFixed(4)})`;
  const rule = `the lowest Worker CPU per request among the builds at >= ${EDGE_ACCURACY_TARGET} test accuracy`;
  const freeText = free
    ? `Workers Free: ${name(free)}, ${rule} within the Free plan's ${WORKERS_PLANS.free.cpuMsPerRequest} ms.`
    : `Workers Free: no build at >= ${EDGE_ACCURACY_TARGET} fits the Free plan's ${WORKERS_PLANS.free.cpuMsPerRequest} ms of CPU in this run.`;
  const paidText = !paid
    ? 'Workers Paid: no build qualifies.'
    : paid.run === free?.run
      ? 'Workers Paid: the same build, the cheapest per request too.'
      : `Workers Paid: ${name(paid)}.`;
  return `**Deploy** (${rule}): ${freeText} ${paidText}`;
}

export interface FigureSources {
  readonly bench: BenchResults;
  readonly models: readonly CommittedModel[];
}

export const FIGURE_BLOCKS: Readonly<Record<string, (s: FigureSources) => string>> = {
  models: (s) => modelsBlock(s.models),
  bench: (s) => benchBlock(s.bench),
  edge: (s) => edgeBlock(s.bench),
};

const BLOCK = /(<!-- figures:([a-z0-9-]+) -->)([\s\S]*?)(<!-- \/figures:\2 -->)/g;

/** `text` with every figures block re-rendered; an unknown block name is an error (a typo would go stale silently). */
export function renderFigureBlocks(text: string, sources: FigureSources): string {
  return text.replace(BLOCK, (_all, open: string, name: string, _old: string, close: string) => {
    const render = FIGURE_BLOCKS[name];
    if (!render)
      throw new RangeError(`unknown figures block "${name}": known ${Object.keys(FIGURE_BLOCKS).join(', ')}`);
    return `${open}\n${render(sources)}\n${close}`;
  });
}

/** The names of the figures blocks in `text`. */
export function figureBlockNames(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[2]);
}

/** Rewrites the blocks of every README in place; returns the files that changed. */
export async function updateReadmeFigures(bench: BenchResults, root = REPO_ROOT): Promise<string[]> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const sources: FigureSources = { bench, models: readCommittedModels(join(root, 'packages/core-nin/weights')) };
  const changed: string[] = [];
  for (const file of README_FILES) {
    const path = join(root, file);
    const before = await readFile(path, 'utf8');
    const after = renderFigureBlocks(before, sources);
    if (after !== before) {
      await writeFile(path, after);
      changed.push(file);
    }
  }
  return changed;
}

/** Whether `dir` is the repository's own results/ (only a run written there rewrites the READMEs). */
export const isRepoResultsDir = (dir: string): boolean => resolve(dir) === resolve(REPO_ROOT, 'results');
