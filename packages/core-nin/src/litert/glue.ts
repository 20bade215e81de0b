import type { LiteRtGlue } from './runtime.ts';

/**
 * Getting LiteRT's glue (`@litertjs/core/wasm/<build>.js`) as a function, outside Node. The glue is a classic
 * script: it declares a global `ModuleFactory` and exports it only through CommonJS's `module.exports`. Since the
 * package is `"type": "module"`, bundlers (esbuild, so wrangler too) read the file as an ES module and find no
 * export in it, so it cannot simply be imported.
 *
 * - A page or a web worker: `loadLiteRtGlueScript(url)` runs the served file as a script and takes the factory.
 * - A bundle (a Worker, a bundled page): import an ES-module copy of the glue, `liteRtGlueAsEsModule(source)`
 *   written at build time (or the esbuild plugin in node/litert.ts, which does it on the fly).
 * - workerd's own config can also take the file as is, as a `commonJsModule`.
 * - Node: node/litert.ts (`loadLiteRtNode`) reads and evaluates it as the CommonJS module it is.
 */

type GlueScope = { ModuleFactory?: LiteRtGlue; importScripts?: (url: string) => void };

/**
 * Runs the glue served at `url` as a classic script (`importScripts` in a web worker, a script tag in a page)
 * and returns its factory, removing the `ModuleFactory` global where it can (in a web worker; a page's script-tag
 * global is non-configurable and stays). Only the glue is fetched: hand the `.wasm` to
 * `createLiteRtRuntime` as a module or bytes (e.g. `WebAssembly.compileStreaming(fetch(wasmUrl))`).
 */
export async function loadLiteRtGlueScript(url: string | URL): Promise<LiteRtGlue> {
  const scope = globalThis as GlueScope;
  if (typeof scope.importScripts === 'function') {
    scope.importScripts(String(url));
  } else {
    const script = document.createElement('script');
    script.src = String(url);
    await new Promise<void>((resolve, reject) => {
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => reject(new Error(`cannot load the LiteRT glue script ${url}`)));
      document.head.appendChild(script);
    });
    script.remove();
  }
  const factory = scope.ModuleFactory;
  // A classic script's `var ModuleFactory` is a non-configurable global: `delete` would throw in this (strict)
  // module code, so it is only removed where it can be, and otherwise left as the script made it.
  Reflect.deleteProperty(scope, 'ModuleFactory');
  if (typeof factory !== 'function') throw new Error(`${url} defined no ModuleFactory: is it a LiteRT glue script?`);
  return factory;
}

/**
 * An ES module that default-exports the factory of the glue whose text is `source`: the glue unchanged, with
 * `module`, `exports`, `define` and `require` shadowed so that it neither exports CommonJS-style nor makes a
 * bundler resolve its Node-only `require("node:fs")` (a branch it takes only under Node, where this copy is not
 * for). `header` is a comment to put first (where the copy came from).
 */
export function liteRtGlueAsEsModule(source: string, header = ''): string {
  const comment = header === '' ? '' : `${header.replace(/^/gm, '// ')}\n`;
  return `${comment}const module = undefined, exports = undefined, define = undefined, require = undefined;
${source}
export default ModuleFactory;
`;
}
