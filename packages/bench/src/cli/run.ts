import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_INPUT_SIZE } from '@nin-bench/core-nin';
import { SCENARIO_NAMES, type ScenarioName } from '../child/protocol.ts';
import { runBench } from '../orchestrate.ts';
import { createCatalog, selectEntries } from '../plan/catalog.ts';
import { PROFILES } from '../plan/profiles.ts';
import { createProgress } from '../progress.ts';
import { resultsFile, writeReport, writeResults } from '../report/write.ts';
import { UsageError } from './usage-error.ts';

export const RUN_USAGE = `usage: nin-bench run [--full | --profile NAME] [--backends LIST] [--scenarios LIST] [--size LIST] [--out DIR] [--weights FILE]

Benchmarks the trained NiN on every backend this machine offers, each in its own process, and writes
DIR/bench/results.json, DIR/report.md and the report's SVG charts.
  --profile NAME     ${Object.values(PROFILES).map((p) => `${p.name}: ${p.description}`).join('\n                     ')}
  --full             same as --profile full
  --backends LIST    comma-separated ids, aliases or prefixes (see --list), e.g. tfjs-wasm,onnxruntime-node-all
  --scenarios LIST   ${SCENARIO_NAMES.join(', ')} (cold start and memory are always measured)
  --size LIST        input sizes in px (default: the size the weights were trained at; --full adds 224 and 96)
  --out DIR          output directory (default: results)
  --weights FILE     safetensors weights (default: packages/core-nin/weights/, 224 px if present, else 96 px)
  --timeout SECONDS  kill a backend's process after this long (default: the profile's)
  --list             list the backends and exit`;

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('an empty list was given');
  return items;
}

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      profile: { type: 'string' },
      full: { type: 'boolean', default: false },
      backends: { type: 'string' },
      scenarios: { type: 'string' },
      size: { type: 'string' },
      out: { type: 'string', default: 'results' },
      weights: { type: 'string' },
      timeout: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  const catalog = createCatalog();
  if (values.list) {
    const width = Math.max(...catalog.map((e) => e.id.length)) + 1;
    for (const e of catalog) console.log(`${e.id.padEnd(width)} ${e.label}${e.aliases?.length ? ` (also: ${e.aliases.join(', ')})` : ''}${e.unavailable ? ' [never available under Node]' : ''}`);
    return 0;
  }
  if (values.full && values.profile && values.profile !== 'full') throw new UsageError('--full and --profile disagree');
  const profileName = values.full ? 'full' : (values.profile ?? 'default');
  const profile = PROFILES[profileName];
  if (!profile) throw new UsageError(`unknown profile "${profileName}": choose ${Object.keys(PROFILES).join(', ')}`);

  let entries;
  try {
    entries = selectEntries(catalog, list(values.backends));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const scenarioList = list(values.scenarios) ?? [...profile.scenarios];
  for (const s of scenarioList) {
    if (!SCENARIO_NAMES.includes(s as ScenarioName)) throw new UsageError(`unknown scenario "${s}": choose from ${SCENARIO_NAMES.join(', ')}`);
  }
  const scenarios = [...new Set<ScenarioName>(['cold-start', ...(scenarioList as ScenarioName[]), 'memory'])];
  const sizes = list(values.size)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < MIN_INPUT_SIZE || n > 1024) throw new UsageError(`--size ${s}: sizes are whole pixels from ${MIN_INPUT_SIZE} (NiN's minimum) to 1024`);
    return n;
  });
  let childTimeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const t = Number(values.timeout);
    if (!(t > 0)) throw new UsageError(`--timeout ${values.timeout}: give a positive number of seconds`);
    childTimeoutMs = t * 1000;
  }

  const node = await import('@nin-bench/core-nin/node');
  const weightsPath = values.weights ? resolve(values.weights) : node.defaultWeightsPath();
  if (!weightsPath) throw new UsageError('no trained weights in packages/core-nin/weights/: run `npm run train` first, or pass --weights FILE');
  if (!existsSync(weightsPath)) throw new UsageError(`--weights ${values.weights}: no such file`);
  const testSet = await node.loadFashionMnist('test');

  const outDir = resolve(values.out!);
  const progress = createProgress();
  console.error(`nin-bench: profile ${profile.name}, ${entries.length} backend(s), weights ${weightsPath}`);
  const results = await runBench({
    profile,
    entries,
    scenarios,
    sizes,
    weightsPath,
    testSet,
    childTimeoutMs,
    command: ['nin-bench', 'run', ...args].join(' '),
    progress,
    checkpoint: async (partial) => {
      await writeResults(partial, outDir, 'results.partial.json');
    },
  });
  console.log(`wrote ${await writeResults(results, outDir)}`);
  await rm(resultsFile(outDir, 'results.partial.json'), { force: true });
  for (const path of await writeReport(results, outDir)) console.log(`wrote ${path}`);
  const failed = results.runs.filter((r) => r.status === 'failed');
  if (failed.length) console.error(`nin-bench: ${failed.length} backend(s) failed: ${failed.map((r) => r.backend).join(', ')} (see the report)`);
  return 0;
}
