#!/usr/bin/env node
// Bundles the kit's entry (gpu-kit/kit.ts: the nin CLI plus probe/bench) into one ES module that needs no
// node_modules. Native parts stay outside: the `webgpu` package loads dawn.node from
// <bundle dir>/dist/<platform>-<arch>/dawn.node (its index.js joins that path to its own URL), so pack.sh puts it there.
// Usage: node gpu-kit/bundle.mjs OUTFILE
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = resolve(process.argv[2] ?? 'nin-kit.mjs');

// The CLI loads each subcommand lazily by a literal path; one not written yet becomes a stub that says so.
const missingCommands = {
  name: 'missing-cli-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\.ts$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      if (args.importer.endsWith('/cli/main.ts') && !existsSync(path)) return { path, namespace: 'missing' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'missing' }, (args) => ({
      contents: `export const command = { summary: 'not in this kit', usage: '', async run() { throw new Error(${JSON.stringify(`${args.path} was not written when this kit was built`)}); } };`,
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: [resolve(here, 'kit.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Not whitespace-minified: an uncaught error prints its source line, which must stay short enough to read.
  minifyWhitespace: false,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  // tfjs backends register themselves on import, but their package.json marks the node build as side-effect free.
  ignoreAnnotations: true,
  // One copy of tfjs-core: the ES build everywhere (register_all_gradients imports its dist/ modules directly).
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // Optional native backends (reported as not installed when absent) and node-canvas (vega's optional renderer).
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'canvas'],
  // Bundled CommonJS packages call require() for Node built-ins; an ES module has none unless it is made.
  banner: {
    js: "import { createRequire as __ninKitCreateRequire } from 'node:module'; const require = __ninKitCreateRequire(import.meta.url);",
  },
  plugins: [missingCommands],
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled ${outfile} (${(bytes / 1e6).toFixed(2)} MB)`);
