#!/usr/bin/env node
// Bundles the kit's entry (gpu-kit/kit.ts: the nin CLI plus probe/bench) into one ES module that needs no
// node_modules. Native parts stay outside: the `webgpu` package loads dawn.node from
// <bundle dir>/dist/<platform>-<arch>/dawn.node (its index.js joins that path to its own URL), so pack.sh puts it there.
// Usage: node gpu-kit/bundle.mjs OUTFILE
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS, OPTIONAL_NATIVE_PACKAGES, bundledBytes, requireBanner } from './node-bundle.mjs';

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
    b.onLoad({ filter: /.*/, namespace: 'missing' }, (args) => {
      const error = JSON.stringify(`${args.path} was not written when this kit was built`);
      return {
        contents: `export const command = { summary: 'not in this kit', usage: '', async run() { throw new Error(${error}); } };`,
        loader: 'js',
      };
    });
  },
};

const result = await build({
  entryPoints: [resolve(here, 'kit.ts')],
  outfile,
  ...NODE_BUNDLE_OPTIONS,
  // Not whitespace-minified: an uncaught error prints its source line, which must stay short enough to read.
  minifyWhitespace: false,
  external: OPTIONAL_NATIVE_PACKAGES,
  banner: { js: requireBanner('__ninKitCreateRequire') },
  plugins: [missingCommands],
});
console.log(`bundled ${outfile} (${(bundledBytes(result) / 1e6).toFixed(2)} MB)`);
