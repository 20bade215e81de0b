// onnxruntime-web in the bench's page, on the same ONNX export of the weights as the Node rows: the WebAssembly
// execution provider (1 thread or several, which needs the page cross-origin isolated) or WebGPU.
import * as ort from 'onnxruntime-web/all';
import { ORT_WASM_PATH, type PageEngineOptions, type PageInit } from './api.ts';
import type { PageEngine } from './engine.ts';
import { webGpuAdapterFacts } from './webgpu.ts';

export async function startOnnxruntimeWeb(options: PageEngineOptions): Promise<{ init: PageInit; engine: PageEngine }> {
  const t0 = performance.now();
  const threads = options.threads ?? 1;
  const ep = options.backend;
  if (ep !== 'wasm' && ep !== 'webgpu')
    throw new Error(`unknown onnxruntime-web execution provider "${ep}" in the page`);
  if (threads > 1 && !crossOriginIsolated) throw new Error('threads need a cross-origin-isolated page (COOP + COEP)');
  ort.env.wasm.wasmPaths = ORT_WASM_PATH;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  let details: Record<string, string | number | boolean> = { executionProvider: ep, simd: true, threads };
  if (ep === 'webgpu') details = { ...details, ...(await webGpuAdapterFacts()) };
  const ms = performance.now() - t0;
  let session: ort.InferenceSession | undefined;
  let size = 0;
  return {
    init: { ms, version: ort.env.versions.web ?? 'unknown', details },
    engine: {
      async load(bytes, inputSize) {
        // The wasm runtime itself initialises with the first session: part of loading the model here, as in Node.
        session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });
        size = inputSize;
        if (ep === 'wasm' && ort.env.wasm.numThreads !== threads) {
          throw new Error(
            `onnxruntime-web fell back to ${ort.env.wasm.numThreads} thread(s): the page lacks WebAssembly threads`,
          );
        }
      },
      async logits(input, n) {
        if (!session) throw new Error('no model loaded');
        const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, size, size]) });
        const logits = out.logits;
        // WebGPU may keep outputs on the GPU: getData() brings them back to JavaScript memory (part of the call).
        return (await logits.getData()) as Float32Array;
      },
    },
  };
}
