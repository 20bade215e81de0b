import { fileURLToPath } from 'node:url';

/** One file of the page's bundle: its path under the server's `/bundle/` and its bytes. */
export interface BundleFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

let built: Promise<BundleFile[]> | undefined;

/**
 * The page's code bundled for the browser by esbuild, in memory: the core's model, tfjs, onnxruntime-web and LiteRT.js, each
 * engine in its own chunk (loaded on demand). Nothing comes from the network: the page's server serves these
 * files and the engines' wasm binaries from node_modules. Built once per process.
 */
export function pageBundle(): Promise<BundleFile[]> {
  built ??= (async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: { main: ENTRY },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: '/bundle',
      write: false,
      minify: false,
      logLevel: 'silent',
      // tfjs-core asks for Node built-ins behind a runtime check that is false in a page
      external: ['node:*', 'worker_threads', 'fs', 'path', 'os', 'crypto', 'perf_hooks', 'util'],
    });
    return result.outputFiles.map((f) => ({ path: f.path.replace(/^\/bundle\//, ''), bytes: f.contents }));
  })();
  return built;
}
