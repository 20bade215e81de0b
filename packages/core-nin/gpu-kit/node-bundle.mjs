// What the GPU kit's two bundles build alike (bundle.mjs: the nin CLI; bundle-bench.mjs: the bench harness):
// ES modules for Node that need no node_modules.

/** The esbuild options both bundles use. */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  // tfjs backends register themselves on import, but their package.json marks the node build as side-effect free.
  ignoreAnnotations: true,
  // One copy of tfjs-core: the ES build everywhere (register_all_gradients imports its dist/ modules directly).
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

/** Optional native backends (reported as not installed when absent) and node-canvas (vega's optional renderer). */
export const OPTIONAL_NATIVE_PACKAGES = [
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'onnxruntime-node',
  'canvas',
];

/**
 * The banner that gives the bundle a `require`: bundled CommonJS packages call require() for Node built-ins, and
 * an ES module has none unless it is made. `alias` names the import, so that it clashes with nothing bundled.
 */
export function requireBanner(alias) {
  return `import { createRequire as ${alias} } from 'node:module'; const require = ${alias}(import.meta.url);`;
}

/** The bytes of JavaScript a build wrote, from its metafile. */
export function bundledBytes(result) {
  return Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}
