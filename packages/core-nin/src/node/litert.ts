// LiteRT.js in Node: the glue and wasm read from the installed `@litertjs/core`, the build chosen by what this
// Node's WebAssembly has (relaxed SIMD: Node 22+), or pinned.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import type { Plugin } from 'esbuild';
import { BackendUnavailableError } from '../backends/unavailable.ts';
import {
  LITERT_BUILD_FILES,
  LITERT_VERSION,
  bestLiteRtBuild,
  supportsRelaxedSimd,
  type LiteRtBuild,
} from '../litert/build.ts';
import { loadLiteRtClassifier, type LiteRtClassifier } from '../litert/classifier.ts';
import { liteRtGlueAsEsModule } from '../litert/glue.ts';
import { createLiteRtRuntime, type LiteRtGlue, type LiteRtRuntime } from '../litert/runtime.ts';

const require = createRequire(import.meta.url);

/** The installed glue (`.js`) and wasm of a build: absolute paths in `@litertjs/core/wasm/`. */
export function liteRtFiles(build: LiteRtBuild): { glue: string; wasm: string } {
  const base = require.resolve(`@litertjs/core/wasm/${LITERT_BUILD_FILES[build]}.js`).replace(/\.js$/, '');
  return { glue: `${base}.js`, wasm: `${base}.wasm` };
}

/**
 * A build's glue, evaluated as the CommonJS script it is (Node would load the file as an ES module, the package
 * being `"type": "module"`, and find no export). Under Node the glue takes its Node branch, whose only use of
 * `require` is `node:fs`, for a wasm file it is never asked to read here.
 */
export async function readLiteRtGlue(build: LiteRtBuild): Promise<LiteRtGlue> {
  const path = liteRtFiles(build).glue;
  const source = await readFile(path, 'utf8');
  const module = { exports: {} as unknown };
  const run = compileFunction(source, ['module', 'exports', 'require', '__filename', '__dirname'], { filename: path });
  run(module, module.exports, createRequire(path), path, dirname(path));
  if (typeof module.exports !== 'function') throw new Error(`${path} exported no LiteRT glue factory`);
  return module.exports as LiteRtGlue;
}

const compiled = new Map<LiteRtBuild, Promise<WebAssembly.Module>>();

/** A build's wasm, compiled once per process. */
export function compileLiteRtWasm(build: LiteRtBuild): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (!module) {
    module = readFile(liteRtFiles(build).wasm).then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => compiled.delete(build));
    compiled.set(build, module);
  }
  return module;
}

export interface LiteRtNodeOptions {
  /** `auto` (default): relaxed where this Node has relaxed SIMD, else compat */
  readonly build?: LiteRtBuild | 'auto';
  readonly log?: (line: string) => void;
}

/**
 * A LiteRT runtime in this Node process, from the installed package's files. `runtime.build` says which build
 * runs. Throws BackendUnavailableError for `build: 'relaxed'` on a Node without relaxed SIMD (Node 20).
 */
export async function loadLiteRtNode(options: LiteRtNodeOptions = {}): Promise<LiteRtRuntime> {
  const build = options.build === undefined || options.build === 'auto' ? bestLiteRtBuild() : options.build;
  if (build === 'relaxed' && !supportsRelaxedSimd())
    throw new BackendUnavailableError(
      'litert:relaxed',
      `Node ${process.versions.node} has no relaxed SIMD (Node 22 or newer has): use the compat build`,
    );
  const [glue, wasm] = await Promise.all([readLiteRtGlue(build), compileLiteRtWasm(build)]);
  return createLiteRtRuntime({ glue, wasm, build, log: options.log });
}

/**
 * A classifier on a runtime of its own (what one model needs: `nin eval --tflite`, the bench's Node rows);
 * its `dispose` frees both. Throws as loadLiteRtNode and loadLiteRtClassifier do.
 */
export async function loadLiteRtNodeClassifier(
  tflite: Uint8Array,
  options: LiteRtNodeOptions = {},
): Promise<LiteRtClassifier> {
  const runtime = await loadLiteRtNode(options);
  try {
    const classifier = await loadLiteRtClassifier(runtime, tflite);
    return {
      ...classifier,
      dispose() {
        classifier.dispose();
        runtime.dispose();
      },
    };
  } catch (e) {
    runtime.dispose();
    throw e;
  }
}

/**
 * An esbuild plugin for bundles that import a glue (`@litertjs/core/wasm/<build>.js`): it hands esbuild the
 * ES-module copy (`liteRtGlueAsEsModule`), whose default export is the factory. The `.wasm` import is left to the
 * bundle's own rule (a Worker: the runtime-compiled module).
 */
export function liteRtGlueEsbuildPlugin(): Plugin {
  return {
    name: 'litert-glue',
    setup(build) {
      build.onLoad({ filter: /[\\/]@litertjs[\\/]core[\\/]wasm[\\/]litert_wasm_[a-z_]+\.js$/ }, async (args) => ({
        contents: liteRtGlueAsEsModule(
          await readFile(args.path, 'utf8'),
          `@litertjs/core ${LITERT_VERSION} ${args.path.replace(/^.*[\\/]wasm[\\/]/, 'wasm/')}, as an ES module`,
        ),
        loader: 'js',
      }));
    },
  };
}
