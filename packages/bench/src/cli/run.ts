import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, defineCommand, option, type ParsedArgs } from '@nin-bench/core-nin/node/cli-args';
import { SCENARIO_NAMES, type ScenarioName } from '../child/protocol.ts';
import { runBench, type BenchRequest } from '../orchestrate.ts';
import { createCatalog, selectEntries, type CatalogEntry } from '../plan/catalog.ts';
import { PROFILES } from '../plan/profiles.ts';
import { createProgress } from '../progress.ts';
import { otherMachinesIn, resultsFile, writeReport, writeResults } from '../report/write.ts';
import type { BenchResults } from '../results/schema.ts';

const RUN_SYNOPSIS =
  'usage: nin-bench run [--full | --profile NAME] [--backends LIST] [--scenarios LIST] [--size LIST] [--rounds N [--seed S]]' +
  ' [--out DIR] [--weights FILE]';

const RUN_USAGE = `${RUN_SYNOPSIS}

Benchmarks the trained NiN on every backend this machine offers, each in its own process, and writes
DIR/bench/results.json, DIR/report.md and the report's SVG charts.
  --profile NAME     ${Object.values(PROFILES)
    .map((p) => `${p.name}: ${p.description}`)
    .join('\n                     ')}
  --full             same as --profile full
  --backends LIST    comma-separated ids, aliases or prefixes (see --list), e.g. tfjs-wasm,onnxruntime-node-all
  --scenarios LIST   ${SCENARIO_NAMES.join(', ')} (cold start and memory are always measured)
  --size LIST        input sizes in px (default: the size the weights were trained at; --full adds 224 and 96)
  --out DIR          output directory (default: results)
  --weights FILE     safetensors weights (default: packages/core-nin/weights/, 224 px if present, else 96 px)
  --timeout SECONDS  kill a backend's process after this long (default: the profile's)
  --rounds N         run the whole plan N times, each round in a new random order, each row in a fresh process;
                     the report gives each row's median round and the spread between rounds (default 1: then
                     the profile's single-stream rounds run instead, 3 in the default profile: round 1 every
                     scenario, rounds 2-3 single-stream alone, each row in a fresh process, in a seeded order)
  --seed S           the seed of the rounds' orders (default 1)
  --list             list the backends and exit`;

const OPTIONS = {
  profile: option.choice(Object.keys(PROFILES)),
  full: option.boolean(),
  backends: option.list(),
  scenarios: option.list(option.choice(SCENARIO_NAMES)),
  size: option.list(option.inputSize({ max: 1024 })),
  out: option.string().default('results'),
  weights: option.string(),
  timeout: option.number({ above: 0 }),
  rounds: option.positiveInteger({ max: 100 }),
  seed: option.integer({ min: 0, max: 2 ** 32 - 1 }),
  list: option.boolean(),
};

export const command = defineCommand({ usage: RUN_USAGE, options: OPTIONS, run });

async function run({ values, args }: ParsedArgs<typeof OPTIONS>): Promise<number> {
  const catalog = createCatalog();
  if (values.list) {
    listCatalog(catalog);
    return 0;
  }
  const req = await benchRequest(values, args, catalog);
  console.error(`nin-bench: profile ${req.profile.name}, ${req.entries.length} backend(s), weights ${req.weightsPath}`);
  const outDir = resolve(values.out);
  const results = await runBench({
    ...req,
    progress: createProgress(),
    checkpoint: async (partial) => {
      await writeResults(partial, outDir, 'results.partial.json');
    },
  });
  await writeOutputs(results, outDir);
  const failed = results.runs.filter((r) => r.status === 'failed');
  if (failed.length)
    console.error(
      `nin-bench: ${failed.length} backend(s) failed: ${failed.map((r) => r.backend).join(', ')} (see the report)`,
    );
  return 0;
}

/** `--list`: every row id with its label, aliases, and whether it can ever run under Node. */
function listCatalog(catalog: readonly CatalogEntry[]): void {
  const width = Math.max(...catalog.map((e) => e.id.length)) + 1;
  for (const e of catalog) {
    const aliases = e.aliases?.length ? ` (also: ${e.aliases.join(', ')})` : '';
    console.log(`${e.id.padEnd(width)} ${e.label}${aliases}${e.unavailable ? ' [never available under Node]' : ''}`);
  }
}

/** The run the arguments ask for (all but where it reports to); a bad argument is a usage error. */
async function benchRequest(
  values: ParsedArgs<typeof OPTIONS>['values'],
  args: readonly string[],
  catalog: readonly CatalogEntry[],
): Promise<Omit<BenchRequest, 'progress'>> {
  if (values.full && values.profile && values.profile !== 'full') throw new UsageError('--full and --profile disagree');
  const profile = PROFILES[values.full ? 'full' : (values.profile ?? 'default')];
  if (values.seed !== undefined && (values.rounds ?? 1) < 2 && profile.singleStreamRounds < 2)
    throw new UsageError(`--seed orders rounds: give --rounds 2 or more (profile ${profile.name} has one round)`);
  let entries;
  try {
    entries = selectEntries(catalog, values.backends, { extended: profile.extendedRows });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const scenarios = [...new Set<ScenarioName>(['cold-start', ...(values.scenarios ?? profile.scenarios), 'memory'])];
  const node = await import('@nin-bench/core-nin/node');
  const weightsPath = node.weightsPathOrDefault(values.weights === undefined ? undefined : resolve(values.weights));
  if (!existsSync(weightsPath)) throw new UsageError(`--weights ${values.weights}: no such file`);
  return {
    profile,
    entries,
    scenarios,
    sizes: values.size,
    weightsPath,
    testSet: await node.loadFashionMnist('test'),
    childTimeoutMs: values.timeout === undefined ? undefined : values.timeout * 1000,
    rounds: values.rounds,
    seed: values.seed,
    command: ['nin-bench', 'run', ...args].join(' '),
  };
}

/** The results file (the checkpoint then goes), the report and its charts, beside other machines' results. */
async function writeOutputs(results: BenchResults, outDir: string): Promise<void> {
  console.log(`wrote ${await writeResults(results, outDir)}`);
  await rm(resultsFile(outDir, 'results.partial.json'), { force: true });
  const file = resultsFile(outDir);
  const others = await otherMachinesIn(outDir, file);
  for (const path of await writeReport(results, outDir, { file, others })) console.log(`wrote ${path}`);
}
