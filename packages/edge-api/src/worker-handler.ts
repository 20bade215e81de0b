import type { ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import type { WasmPeakModules } from '@nin-bench/core-nin/probe/wasm-peak';
import type { PeakProbeEnv } from './peak-probe.ts';
import { createApp } from './app.ts';
import type { EdgeClassifier } from './classifier.ts';
import { lazyClassifier } from './lazy.ts';
import type { RateLimitEnv } from './rate-limit.ts';

/** `[vars]` and bindings from wrangler.toml. */
export interface EdgeEnv extends RateLimitEnv, PeakProbeEnv {
  /** int8 | float16 | float32: what the bundled weights must be (checked against their manifest) */
  readonly WEIGHT_PRECISION?: string;
  /** 224 | 100 | 96: the input size the bundled model must be for */
  readonly INPUT_SIZE?: string;
  /** tfjs | onnxruntime-int8 | litert-int8: the engine the entry must be (checked against the entry that was bundled) */
  readonly EDGE_ENGINE?: string;
}

export interface EdgeWorker {
  fetch(request: Request, env: EdgeEnv, ctx?: unknown): Response | Promise<Response>;
}

/**
 * The Workers handler of any engine: one app and one classifier per isolate, created on the first request (the
 * global scope may not do async work). `load` builds the engine's classifier; it imports no engine itself, so
 * each entry bundles only its own. `decoderWasm`: the JPEG and WebP decoders' modules (worker-decoders.ts);
 * `peakProbeWasm`: the WebAssembly peak probe's (worker-peak-probe.ts, GET /probe when PEAK_PROBE=on).
 */
export function createWorkerHandler(
  engine: string,
  load: (env: EdgeEnv) => Promise<EdgeClassifier>,
  decoderWasm?: ImageDecoderWasm,
  peakProbeWasm?: WasmPeakModules,
): EdgeWorker {
  let app: ReturnType<typeof createApp> | undefined;
  return {
    fetch(request, env, ctx) {
      app ??= createApp({
        decoderWasm,
        peakProbeWasm,
        classifier: lazyClassifier(async () => {
          if (env.EDGE_ENGINE !== undefined && env.EDGE_ENGINE !== engine)
            throw new Error(`EDGE_ENGINE is ${env.EDGE_ENGINE} but this Worker entry runs ${engine}`);
          // `return await`, not `return`: the rejection is handled at once, not a tick later (which workerd reports as unhandled)
          return await load(env);
        }),
      });
      return app.fetch(request, env, ctx as never);
    },
  };
}
