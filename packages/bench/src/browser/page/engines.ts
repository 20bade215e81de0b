// The page's engines by name (a catalog entry's `options.engine`), each loaded on demand from its own chunk. A new
// browser engine: its module here (a `start` returning its init facts and a PageEngine) and its rows in
// plan/browser-rows.ts.
import type { PageEngineName, PageEngineOptions, PageInit } from './api.ts';
import type { PageEngine } from './engine.ts';

type StartEngine = (options: PageEngineOptions) => Promise<{ init: PageInit; engine: PageEngine }>;

export const PAGE_ENGINES: Readonly<Record<PageEngineName, StartEngine>> = {
  tfjs: async (o) => (await import('./tfjs.ts')).startTfjs(o),
  'onnxruntime-web': async (o) => (await import('./onnxruntime-web.ts')).startOnnxruntimeWeb(o),
  litert: async (o) => (await import('./litert.ts')).startLiteRt(o),
};
