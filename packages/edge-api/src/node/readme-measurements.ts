// The edge README's measured figures are generated, never typed: it marks a block with
//   <!-- measured:NAME -->  ...  <!-- /measured:NAME -->
// and `npm run -w @nin-bench/edge-api readme` rewrites what lies between from the JSON the edge's measurement
// scripts committed under packages/edge-api/results/ (photo-accuracy, photo-cpu, edge:load). A test checks that the
// committed README matches what the committed JSON renders, so a stale or hand-edited figure fails `npm test`.
// (The bench's `<!-- figures:NAME -->` blocks are another marker, rendered by `npm run report`: left alone here.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EDGE_DIR } from './edge-weights.ts';
import type { LoadSummary, NamedLoadRun } from './load-summary.ts';
import { loadTable } from './load-summary.ts';
import { photoAccuracyTable, type PhotoAccuracyResult } from './photo-accuracy.ts';
import { freePlanVerdict, largestPhotoWithin, photoCpuTable, type PhotoCpuResults } from './photo-cpu-table.ts';

export const EDGE_README = join(EDGE_DIR, 'README.md');
export const EDGE_RESULTS_DIR = join(EDGE_DIR, 'results');

/** A measured block that cannot be rendered: an unknown name, or a result file missing or not of its kind. */
export class MeasuredBlockError extends Error {
  override readonly name = 'MeasuredBlockError';
}

/** The committed measurements; null (or no load runs) where the file is not there. */
export interface EdgeMeasurements {
  readonly photoAccuracy: PhotoAccuracyResult | null;
  readonly photoCpu: PhotoCpuResults | null;
  /** results/load/*.json, the lead's four runs first (edge:serve then edge:dev, 16 then 64 connections) */
  readonly load: readonly NamedLoadRun[];
}

/** The load files the README is meant to show, in the table's order; any other results/load/*.json follows. */
export const LOAD_RUN_FILES = ['edge-serve-16', 'edge-serve-64', 'edge-dev-16', 'edge-dev-64'] as const;

/** What served a load run, by its file name: `edge-serve-64` -> `edge:serve` (one plain workerd). */
export function loadServerName(stem: string): string {
  if (stem.startsWith('edge-serve')) return '`edge:serve` (one plain workerd)';
  if (stem.startsWith('edge-dev')) return '`edge:dev` (wrangler dev, through its entry proxy)';
  return stem;
}

const readJson = (file: string, what: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MeasuredBlockError(`${file} is not readable JSON (${what}): ${(e as Error).message}`);
  }
};

/** Checks the fields the blocks read, so a file of another kind is one clear line, not a TypeError in a renderer. */
function expectFields<T>(value: unknown, file: string, what: string, fields: readonly string[]): T {
  const missing = fields.filter((f) => typeof value !== 'object' || value === null || !(f in value));
  if (missing.length) throw new MeasuredBlockError(`${file} is not ${what}: it lacks ${missing.join(', ')}`);
  return value as T;
}

/** Reads the committed JSON under `resultsDir` (default packages/edge-api/results). */
export function readEdgeMeasurements(resultsDir = EDGE_RESULTS_DIR): EdgeMeasurements {
  const accuracyFile = join(resultsDir, 'photo-accuracy.json');
  const cpuFile = join(resultsDir, 'photo-cpu.json');
  const loadDir = join(resultsDir, 'load');
  const photoAccuracy = existsSync(accuracyFile)
    ? expectFields<PhotoAccuracyResult>(
        readJson(accuracyFile, 'photo-accuracy'),
        accuracyFile,
        'a photo-accuracy result',
        ['tile', 'variants', 'model', 'date', 'machine'],
      )
    : null;
  const photoCpu = existsSync(cpuFile)
    ? expectFields<PhotoCpuResults>(readJson(cpuFile, 'photo-cpu'), cpuFile, 'a photo-cpu result', [
        'rows',
        'freePlanCpuMs',
        'date',
        'machine',
        'build',
      ])
    : null;
  const order = (stem: string) => {
    const i = (LOAD_RUN_FILES as readonly string[]).indexOf(stem);
    return i < 0 ? LOAD_RUN_FILES.length : i;
  };
  const stems = existsSync(loadDir)
    ? readdirSync(loadDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => basename(f, '.json'))
        .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    : [];
  const load = stems.map((stem) => {
    const file = join(loadDir, `${stem}.json`);
    const summary = expectFields<LoadSummary>(readJson(file, 'edge:load'), file, 'an edge:load summary', [
      'connections',
      'elapsedS',
      'answered',
      'otherStatuses',
      'latencyMs',
      'start',
      'machine',
    ]);
    return { name: loadServerName(stem), summary };
  });
  return { photoAccuracy, photoCpu, load };
}

/** `2026-12-04T09:53:53.114Z` -> `2026-12-04 09:53 UTC` */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
/** os.loadavg()'s 1-minute figure */
const load1 = (values: readonly number[]) => values[0]?.toFixed(2) ?? 'unknown';

const missing = (file: string, command: string) =>
  new MeasuredBlockError(`results/${file} is missing: \`${command}\` writes it`);

/** Block `photo-accuracy`: the accuracy table and when and where it was measured. */
export function photoAccuracyBlock(result: PhotoAccuracyResult | null): string {
  if (!result) throw missing('photo-accuracy.json', 'npm run -w @nin-bench/edge-api photo-accuracy');
  const m = result.machine;
  return [
    photoAccuracyTable(result),
    '',
    `Measured ${when(result.date)} on ${m.cpu} (${m.cores} cores, Node ${m.node}; 1-minute load average ` +
      `${m.loadAverage[0].toFixed(2)} at the start, ${m.loadAverage[1].toFixed(2)} at the end) ` +
      `in ${Math.round(result.seconds)} s (\`results/photo-accuracy.json\`).`,
  ].join('\n');
}

/** Block `photo-cpu`: the CPU table, the largest photo within the Free plan's CPU (or none), and the machine. */
export function photoCpuBlock(results: PhotoCpuResults | null): string {
  if (!results) throw missing('photo-cpu.json', 'npm run -w @nin-bench/edge-api photo-cpu');
  const m = results.machine;
  return [
    `${results.build.name} on one plain workerd (${results.workerd}), ${results.requests} sequential requests per ` +
      `picture after ${results.warmup} warm-ups; Worker CPU good to ±${results.cpuResolutionMsPerRequest} ms per request:`,
    '',
    photoCpuTable(results.rows),
    '',
    freePlanVerdict(largestPhotoWithin(results.rows, results.freePlanCpuMs), results.freePlanCpuMs),
    '',
    `Measured ${when(results.date)} on ${m.cpuModel} (${m.cpus} CPUs, Node ${results.node}; 1-minute load average ` +
      `${load1(m.loadAverageBefore)} before, ${load1(m.loadAverageAfter)} after) (\`results/photo-cpu.json\`).`,
  ].join('\n');
}

/** Block `load`: the table of whichever load runs are committed, and where and when they ran. */
export function loadBlock(runs: readonly NamedLoadRun[]): string {
  if (!runs.length)
    return 'No load test committed yet: `npm run edge:load -- --json packages/edge-api/results/load/edge-serve-16.json` writes one.';
  const machines = [...new Set(runs.map(({ summary: s }) => `${s.machine.cpuModel} (${s.machine.cpus} CPUs)`))];
  const starts = runs.map(
    ({ name, summary: s }) =>
      `${name.replace(/ \(.*\)$/, '')} with ${s.connections} connections: ${when(s.start)}, ` +
      `load average ${load1(s.machine.loadAverage)}`,
  );
  return [
    loadTable(runs),
    '',
    `Measured on ${machines.join(', ')}, autocannon on the same machine as the server; ` +
      `each run's start and 1-minute load average before it: ${starts.join('; ')} (\`results/load/\`).`,
  ].join('\n');
}

export const MEASURED_BLOCKS: Readonly<Record<string, (s: EdgeMeasurements) => string>> = {
  'photo-accuracy': (s) => photoAccuracyBlock(s.photoAccuracy),
  'photo-cpu': (s) => photoCpuBlock(s.photoCpu),
  load: (s) => loadBlock(s.load),
};

const BLOCK = /(<!-- measured:([a-z0-9-]+) -->)([\s\S]*?)(<!-- \/measured:\2 -->)/g;

/** `text` with every measured block re-rendered; an unknown block name is an error (a typo would go stale silently). */
export function renderMeasuredBlocks(text: string, sources: EdgeMeasurements): string {
  return text.replace(BLOCK, (_all, open: string, name: string, _old: string, close: string) => {
    // own names only: `constructor` is no block
    const render = Object.hasOwn(MEASURED_BLOCKS, name) ? MEASURED_BLOCKS[name] : undefined;
    if (!render)
      throw new MeasuredBlockError(
        `unknown measured block "${name}": known ${Object.keys(MEASURED_BLOCKS).join(', ')}`,
      );
    return `${open}\n${render(sources)}\n${close}`;
  });
}

/** The names of the measured blocks in `text`, in order. */
export function measuredBlockNames(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[2]);
}

/**
 * Rewrites the measured blocks of the edge README in place from the committed JSON; returns the names of the blocks
 * whose text changed.
 */
export async function updateEdgeReadme(readme = EDGE_README, resultsDir = EDGE_RESULTS_DIR): Promise<string[]> {
  const before = await readFile(readme, 'utf8');
  const after = renderMeasuredBlocks(before, readEdgeMeasurements(resultsDir));
  if (after === before) return [];
  const blocks = (text: string) => [...text.matchAll(BLOCK)].map((m) => m[0]);
  const old = blocks(before);
  const changed = blocks(after)
    .map((block, i) => (block === old[i] ? null : measuredBlockNames(block)[0]))
    .filter((name): name is string => name !== null);
  await writeFile(readme, after);
  return changed;
}
