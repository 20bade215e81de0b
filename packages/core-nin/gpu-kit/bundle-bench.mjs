#!/usr/bin/env node
// Bundles the bench harness (`nin-bench`: its orchestrator, the child entry and the runners the GPU machine runs)
// into a folder that needs no node_modules and no tsx, for the GPU kit:
//
//   OUTDIR/bench/nin-bench.mjs   the CLI (`nin-bench run ...`, `nin-bench report ...`)
//   OUTDIR/bench/entry.mjs       the child process each row runs in (child/spawn.ts finds it beside the CLI)
//   OUTDIR/runners/<runner>.mjs   the runners of the registry's `gpuKit` entries (bench plan/catalog.ts: tfjs,
//                                 onnxruntime-node, pytorch); plan/catalog.ts's runnerPath() finds them from bench/
//   OUTDIR/runners/pytorch_runner.py, torch_nin.py      the PyTorch child and the seed's nn.Sequential
//   OUTDIR/node_modules/@tensorflow/tfjs-backend-wasm   its package.json and .wasm binaries (read by the wasm backend)
//   OUTDIR/node_modules/onnxruntime-node, onnxruntime-common   the native engine, linux-x64 only (46 MB; --no-onnxruntime leaves it out)
//   OUTDIR/runners/dist/linux-x64/dawn.node              only with --dawn (pack.sh ships it compressed on its own)
//
// The package versions the report prints (the registry's versionPackages and the harness's) are read here and baked
// in (there is no node_modules to read there).
// Usage: node gpu-kit/bundle-bench.mjs OUTDIR [--no-onnxruntime] [--dawn]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS, OPTIONAL_NATIVE_PACKAGES, bundledBytes, requireBanner } from './node-bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const bench = join(root, 'packages/bench/src');
const args = process.argv.slice(2);
const outdir = args.find((a) => !a.startsWith('--'));
if (!outdir) {
  console.error('usage: node bundle-bench.mjs OUTDIR [--no-onnxruntime] [--dawn]');
  process.exit(2);
}
const unknown = args.filter((a) => a.startsWith('--') && a !== '--no-onnxruntime' && a !== '--dawn');
if (unknown.length) {
  console.error(`bundle-bench.mjs: unknown option ${unknown[0]}`);
  process.exit(2);
}
const out = resolve(outdir);
const withOrt = !args.includes('--no-onnxruntime');
rmSync(out, { recursive: true, force: true });

const modules = join(root, 'node_modules');
// The copy a package's code resolves: its own node_modules first (npm nests a version that differs), then the root's.
const installed = (name) => {
  for (const dir of [
    join(root, 'packages/bench/node_modules'),
    join(root, 'packages/core-nin/node_modules'),
    modules,
  ]) {
    const path = join(dir, name, 'package.json');
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')).version;
  }
  return 'not installed';
};
// The bench's engine registry, read from its source (bundled to a file here, imported, removed): which runners the
// kit bundles (entries marked gpuKit) and which packages' versions a run records (results/machine.ts's list).
const registryFile = join(out, '.registry.mjs');
await build({
  stdin: {
    contents: `export { createCatalog, versionPackages } from './plan/catalog.ts';\nexport { HARNESS_PACKAGES } from './results/machine.ts';\n`,
    resolveDir: bench,
    loader: 'ts',
  },
  outfile: registryFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning',
});
const registry = await import(pathToFileURL(registryFile).href);
rmSync(registryFile);
const kitEntries = registry.createCatalog(2).filter((e) => e.gpuKit);
const kitRunners = [...new Set(kitEntries.map((e) => e.runner))];
// Packages the kit's rows run on, less the native ones it does not ship (loaded from OUTDIR/node_modules when there).
const notShipped = new Set([
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  ...(withOrt ? [] : ['onnxruntime-node']),
]);
const kitPackages = new Set(kitEntries.flatMap((e) => e.versionPackages).filter((n) => !notShipped.has(n)));
const versions = Object.fromEntries([
  ...registry.versionPackages().map((n) => [n, kitPackages.has(n) ? installed(n) : 'not bundled']),
  ...registry.HARNESS_PACKAGES.map((n) => [n, installed(n)]),
]);
versions['@nin-bench/core-nin'] = JSON.parse(
  readFileSync(join(root, 'packages/core-nin/package.json'), 'utf8'),
).version;

// The CLI's entry: what bin/nin-bench.js does, without tsx.
const cliEntry = {
  name: 'nin-bench-cli-entry',
  setup(b) {
    b.onResolve({ filter: /^nin-bench-cli$/ }, () => ({ path: 'nin-bench-cli', namespace: 'entry' }));
    b.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({
      contents: `import { main } from ${JSON.stringify(join(bench, 'cli/main.ts'))};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
      loader: 'ts',
      resolveDir: bench,
    }));
  },
};

const result = await build({
  entryPoints: [
    { in: 'nin-bench-cli', out: 'bench/nin-bench' },
    { in: join(bench, 'child/entry.ts'), out: 'bench/entry' },
    ...kitRunners.map((runner) => ({
      in: join(bench, 'runners', runner),
      out: `runners/${runner.replace(/\.ts$/, '')}`,
    })),
  ],
  outdir: out,
  outExtension: { '.js': '.mjs' },
  ...NODE_BUNDLE_OPTIONS,
  define: { 'process.env.NIN_BENCH_BUNDLED_VERSIONS': JSON.stringify(JSON.stringify(versions)) },
  // Native or optional engines load from OUTDIR/node_modules when shipped, else their rows say they are not
  // installed; browser, HTTP and tsx-only code paths are not used on the GPU machine.
  external: [...OPTIONAL_NATIVE_PACKAGES, 'playwright-core', 'wrangler', 'tsx', 'tsx/*'],
  // Bundled CommonJS calls require(), and tfjs-backend-wasm's Emscripten glue reads a free __dirname (its script
  // folder; the core's wasm loader supplies the binaries itself, so any folder will do).
  banner: {
    js: `${requireBanner('__ninBenchCreateRequire')} globalThis.__dirname ??= new URL('.', import.meta.url).pathname;`,
  },
  plugins: [cliEntry],
});

// Files the bundles read at run time.
cpSync(join(bench, 'runners/pytorch_runner.py'), join(out, 'runners/pytorch_runner.py'));
cpSync(join(root, 'packages/core-nin/test/parity/torch_nin.py'), join(out, 'runners/torch_nin.py'));
const wasm = join(modules, '@tensorflow/tfjs-backend-wasm');
const wasmOut = join(out, 'node_modules/@tensorflow/tfjs-backend-wasm');
mkdirSync(join(wasmOut, 'dist'), { recursive: true });
cpSync(join(wasm, 'package.json'), join(wasmOut, 'package.json'));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'])
  cpSync(join(wasm, 'dist', f), join(wasmOut, 'dist', f));
if (withOrt) {
  const ort = join(modules, 'onnxruntime-node');
  const ortOut = join(out, 'node_modules/onnxruntime-node');
  cpSync(join(ort, 'package.json'), join(ortOut, 'package.json'));
  cpSync(join(ort, 'dist'), join(ortOut, 'dist'), {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts'),
  });
  cpSync(join(ort, 'bin/napi-v6/linux/x64'), join(ortOut, 'bin/napi-v6/linux/x64'), { recursive: true });
  const common = join(modules, 'onnxruntime-common');
  cpSync(join(common, 'package.json'), join(out, 'node_modules/onnxruntime-common/package.json'));
  cpSync(join(common, 'dist/cjs'), join(out, 'node_modules/onnxruntime-common/dist/cjs'), {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts'),
  });
  cpSync(join(common, 'dist/esm'), join(out, 'node_modules/onnxruntime-common/dist/esm'), {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts'),
  });
}
if (args.includes('--dawn'))
  cpSync(join(modules, 'webgpu/dist/linux-x64/dawn.node'), join(out, 'runners/dist/linux-x64/dawn.node'));
const shipped = withOrt ? ', onnxruntime-node linux-x64' : '';
console.log(`bundled nin-bench into ${out} (${(bundledBytes(result) / 1e6).toFixed(2)} MB of JavaScript${shipped})`);
