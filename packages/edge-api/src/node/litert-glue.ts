// LiteRT.js's glue (`@litertjs/core/wasm/litert_wasm_internal.js`) is a classic script: it exports its factory only
// through CommonJS's `module.exports`, and since the package is `"type": "module"`, esbuild (so wrangler) reads it as
// an ES module with no export. The LiteRT Worker entries import it by its package name and wrangler.toml's [alias]
// points that name at the ES-module copy written here (the core's liteRtGlueAsEsModule: the glue unchanged,
// `export default ModuleFactory` added). Written when a LiteRT build is bundled (ensureEdgeWeights, wrangler.toml's
// build command for the LiteRT environments, the workerd tests' global set-up); git-ignored, like .bundle/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LITERT_VERSION, liteRtGlueAsEsModule } from '@nin-bench/core-nin/litert';
import { liteRtFiles } from '@nin-bench/core-nin/node';

/** packages/edge-api (not edge-weights.ts's EDGE_DIR: that module imports this one) */
const EDGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The ES-module copy of the relaxed build's glue (wrangler.toml's [alias] names this path). */
export const LITERT_GLUE_MODULE = join(EDGE_DIR, '.bundle', 'litert-glue', 'litert_wasm_internal.js');

/** The copy's text: the installed glue as an ES module, headed with where it came from. */
export function liteRtGlueModuleSource(): string {
  const glue = liteRtFiles('relaxed').glue;
  return liteRtGlueAsEsModule(
    readFileSync(glue, 'utf8'),
    `@litertjs/core ${LITERT_VERSION} wasm/litert_wasm_internal.js as an ES module, written by ` +
      'packages/edge-api/src/node/litert-glue.ts; do not edit',
  );
}

/** Writes the copy when it is missing or stale (another @litertjs/core installed); returns its path. */
export function ensureLiteRtGlueModule(): string {
  const source = liteRtGlueModuleSource();
  if (!existsSync(LITERT_GLUE_MODULE) || readFileSync(LITERT_GLUE_MODULE, 'utf8') !== source) {
    mkdirSync(dirname(LITERT_GLUE_MODULE), { recursive: true });
    writeFileSync(LITERT_GLUE_MODULE, source);
  }
  return LITERT_GLUE_MODULE;
}
