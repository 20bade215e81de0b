import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { setMetric, timing } from 'hono/timing';
import type { ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import type { WasmPeakModules } from '@nin-bench/core-nin/probe/wasm-peak';
import { RequestError, badRequest } from './errors.ts';
import { ACCEPTED_TYPES, parseFit, readImages } from './input.ts';
import { EDGE_LIMITS, type EdgeLimits } from './limits.ts';
import type { ClassifierSource } from './lazy.ts';
import { PAGE_CSP, PAGE_HTML } from './page.ts';
import { runPeakProbe, type PeakProbeEnv } from './peak-probe.ts';
import { rateLimit, type RateLimitEnv } from './rate-limit.ts';
import { requestLog } from './request-log.ts';

export interface EdgeAppOptions {
  readonly classifier: ClassifierSource;
  readonly limits?: Partial<EdgeLimits>;
  /** clock for the timing fields (performance.now by default) */
  readonly now?: () => number;
  /** the wasm image decoders' modules (a Worker entry hands in what wrangler compiled) */
  readonly decoderWasm?: ImageDecoderWasm;
  /** where the one log line per request goes (console.log by default) */
  readonly log?: (line: string) => void;
  /** the WebAssembly peak probe's modules, for GET /probe (served only when the env says PEAK_PROBE=on) */
  readonly peakProbeWasm?: WasmPeakModules;
}

export interface ErrorBody {
  readonly error: { readonly status: number; readonly code: string; readonly message: string };
}

const ROUTES = {
  '/': ['GET'],
  '/health': ['GET'],
  '/model': ['GET'],
  '/predict': ['POST'],
} as const;

type AppEnv = { Bindings: (RateLimitEnv & PeakProbeEnv) | undefined; Variables: { errorCode?: string } };

function errorResponse(
  c: Context<AppEnv>,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  c.set('errorCode', code);
  return c.json({ error: { status, code, message } } satisfies ErrorBody, status as 400, headers);
}

/**
 * The HTTP face of the classifier, independent of the runtime: the Workers entry hands it a lazily loaded
 * wasm-SIMD classifier; tests hand it a stub or the real core under Node.
 */
export function createApp(options: EdgeAppOptions): Hono<AppEnv> {
  const limits: EdgeLimits = { ...EDGE_LIMITS, ...options.limits };
  const now = options.now ?? (() => performance.now());
  const source = options.classifier;
  /** the engine's name once the model has loaded, for the log line */
  let engineName: string | null = null;
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    requestLog(Object.keys(ROUTES), () => engineName, options.log),
  );
  // Server-Timing: decode, tile (the picture to the 28x28 tile), preprocess (to the model's input), inference, total.
  // On Cloudflare the clock advances only at I/O (a Spectre mitigation), so there the in-Worker parts read 0.
  app.use('*', timing({ totalDescription: 'time in the Worker', crossOrigin: true }));
  // Any web page may call the classifier (no cookies or credentials are involved); preflights get 204.
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'POST'],
      allowHeaders: ['Content-Type'],
      // a page on another site must be able to read when to retry after a 429
      exposeHeaders: ['Retry-After'],
      maxAge: 86400,
    }),
  );
  const getClassifier = async () => {
    try {
      const classifier = await source.get();
      engineName = classifier.engine.name;
      return classifier;
    } catch (e) {
      throw new RequestError(503, 'not_ready', `the model failed to load: ${(e as Error).message}`);
    }
  };

  app.get('/', (c) => {
    // One URL, two answers: a browser (Accept: text/html first) gets the page, API clients (curl's */*, fetch,
    // application/json, no Accept) the JSON as before. Vary keeps caches from handing one the other's.
    c.header('Vary', 'Accept');
    if (
      accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' }) ===
      'text/html'
    ) {
      return c.html(PAGE_HTML, 200, { 'Content-Security-Policy': PAGE_CSP });
    }
    return c.json({
      name: 'nin-bench edge: Fashion-MNIST NiN classifier',
      routes: {
        'GET /health': 'ready state, engine, backend, SIMD, model sha256, wasm memory',
        'GET /model': 'engine, architecture, parameter count, input size, weight precision, test accuracy, class names',
        'POST /predict':
          `${ACCEPTED_TYPES.join(' | ')}: a picture (PNG, JPEG with its EXIF orientation, WebP), ` +
          `784 raw bytes (a 28x28 tile), {"pixels": [...]} or {"images": [...]}; ?topk=1..${limits.maxTopK}; ` +
          '?fit=auto|photo|tile; ?explain=1 adds the 28x28 tile the model saw',
      },
      accepts: ACCEPTED_TYPES,
      fit: {
        auto: 'the default: photo for a picture with a light, even border (a product photo), else tile',
        photo:
          "Fashion-MNIST's own conversion of a product photo: trim the background, longest edge to 28, sharpen, centre, negate, gray",
        tile: 'a Fashion-MNIST-style tile (light garment on black): resized to 28x28 gray',
      },
      limits,
    });
  });

  app.get('/health', async (c) => {
    try {
      const classifier = await source.get();
      engineName = classifier.engine.name;
      return c.json({
        status: 'ready',
        engine: classifier.engine.name,
        backend: classifier.backend.spec,
        simd: classifier.backend.simd,
        backendDetails: classifier.backend.details,
        weightPrecision: classifier.model.weightPrecision,
        modelSha256: classifier.model.sha256,
        // Grows to the largest forward pass so far and never shrinks: Workers cap an isolate at 128 MB in all.
        wasmHeapBytes: classifier.wasmHeapBytes(),
      });
    } catch (e) {
      return c.json(
        { status: source.state, error: { status: 503, code: 'not_ready', message: (e as Error).message } },
        503,
      );
    }
  });

  app.get('/model', async (c) => {
    const { model, engine } = await getClassifier();
    return c.json({
      engine,
      architecture: model.architecture,
      parameterCount: model.parameterCount,
      multiplyAdds: model.multiplyAdds,
      inputSize: model.inputSize,
      input:
        'a picture made into a 28x28 gray tile (?fit=auto|photo|tile), resized to inputSize x inputSize (bilinear, as torchvision) and scaled to [0,1]',
      weightPrecision: model.weightPrecision,
      testAccuracy: model.testAccuracy,
      classes: model.classes,
      sha256: model.sha256,
      recipe: model.manifest?.recipe ?? null,
      limits,
    });
  });

  // The bench's measure of this machine's WebAssembly limit inside the Worker; a 404 unless PEAK_PROBE=on.
  // A measurement of this isolate, not a resource: never cached.
  app.get('/probe', async (c) =>
    c.json(await runPeakProbe(c.env, options.peakProbeWasm), 200, { 'Cache-Control': 'no-store' }),
  );

  app.post(
    '/predict',
    rateLimit({ requests: limits.rateLimitRequests, periodSeconds: limits.rateLimitPeriodSeconds }),
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new RequestError(413, 'body_too_large', `the body is over ${limits.maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const topK = parseTopK(c.req.query('topk'), limits);
      const fit = parseFit(c.req.query('fit'));
      const explain = parseExplain(c.req.query('explain'));
      const parsed = await readImages(c.req.raw, { limits, fit, wasm: options.decoderWasm, now });
      const classifier = await getClassifier();
      const { predictions, timing } = await classifier.classify(parsed.images, parsed.count, topK);
      setMetric(c, 'decode', parsed.decodeMs, 'decoding the picture');
      setMetric(c, 'tile', parsed.tileMs, 'the picture to the 28x28 tile (fit)');
      setMetric(c, 'preprocess', timing.preprocessMs, "the tile to the model's input");
      setMetric(c, 'inference', timing.inferenceMs, 'forward pass');
      const meta = {
        timing: {
          decodeMs: round(parsed.decodeMs),
          preprocessMs: round(parsed.tileMs + timing.preprocessMs),
          inferenceMs: round(timing.inferenceMs),
        },
        backend: classifier.backend.spec,
      };
      const answers = predictions.map((p, i) => {
        const { fit, fitReason, ...input } = parsed.inputs[i];
        const tile = parsed.images.subarray(i * 784, (i + 1) * 784);
        return { ...p, fit, fitReason, input, ...(explain ? { tile: Array.from(tile) } : {}) };
      });
      return c.json(parsed.batch ? { predictions: answers, ...meta } : { ...answers[0], ...meta });
    },
  );

  for (const [path, methods] of Object.entries(ROUTES)) {
    // Hono answers HEAD with the GET route
    const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
    app.all(path, (c) =>
      errorResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${path}; use ${allow}`, {
        Allow: allow,
      }),
    );
  }
  app.notFound((c) => errorResponse(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}; see GET /`));
  app.onError((e, c) => {
    if (e instanceof RequestError) return errorResponse(c, e.status, e.code, e.message, { ...e.headers });
    console.error('edge: unexpected error', e);
    return errorResponse(c, 500, 'internal', 'internal error');
  });
  return app;
}

function parseTopK(text: string | undefined, limits: Pick<EdgeLimits, 'maxTopK' | 'defaultTopK'>): number {
  if (text === undefined) return limits.defaultTopK;
  const k = Number(text);
  if (!Number.isInteger(k) || k < 1 || k > limits.maxTopK)
    throw badRequest('bad_topk', `topk must be an integer from 1 to ${limits.maxTopK}, got ${JSON.stringify(text)}`);
  return k;
}

/** `?explain=1` (or `true`) adds the 28x28 tile the model saw to each answer. */
function parseExplain(text: string | undefined): boolean {
  if (text === undefined || text === '0' || text === 'false') return false;
  if (text === '' || text === '1' || text === 'true') return true;
  throw badRequest('bad_explain', `explain must be 1 or 0, got ${JSON.stringify(text.slice(0, 40))}`);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
