import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { RequestError, badRequest } from './errors.ts';
import { readImages } from './input.ts';
import { EDGE_LIMITS, type EdgeLimits } from './limits.ts';
import type { ClassifierSource } from './lazy.ts';
import { PAGE_CSP, PAGE_HTML } from './page.ts';

export interface EdgeAppOptions {
  readonly classifier: ClassifierSource;
  readonly limits?: Partial<EdgeLimits>;
  /** clock for the timing fields (performance.now by default) */
  readonly now?: () => number;
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

function errorResponse(
  c: Context,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return c.json({ error: { status, code, message } } satisfies ErrorBody, status as 400, headers);
}

/**
 * The HTTP face of the classifier, independent of the runtime: the Workers entry hands it a lazily loaded
 * wasm-SIMD classifier; tests hand it a stub or the real core under Node.
 */
export function createApp(options: EdgeAppOptions): Hono {
  const limits: EdgeLimits = { ...EDGE_LIMITS, ...options.limits };
  const now = options.now ?? (() => performance.now());
  const source = options.classifier;
  const app = new Hono();
  // Any web page may call the classifier (no cookies or credentials are involved); preflights get 204.
  app.use(
    '*',
    cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'POST'], allowHeaders: ['Content-Type'], maxAge: 86400 }),
  );
  const getClassifier = async () => {
    try {
      return await source.get();
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
          'image/png | application/octet-stream (784 bytes) | application/json {"pixels": [...]} or {"images": [...]}; ?topk=1..10',
      },
      limits,
    });
  });

  app.get('/health', async (c) => {
    try {
      const classifier = await source.get();
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
      input: 'one 28x28 gray image, resized to inputSize x inputSize (bilinear, as torchvision) and scaled to [0,1]',
      weightPrecision: model.weightPrecision,
      testAccuracy: model.testAccuracy,
      classes: model.classes,
      sha256: model.sha256,
      recipe: model.manifest?.recipe ?? null,
      limits,
    });
  });

  app.post(
    '/predict',
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        throw new RequestError(413, 'body_too_large', `the body is over ${limits.maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const topK = parseTopK(c.req.query('topk'), limits);
      const t0 = now();
      const parsed = await readImages(c.req.raw, limits);
      const decodeMs = now() - t0;
      const classifier = await getClassifier();
      const { predictions, timing } = await classifier.classify(parsed.images, parsed.count, topK);
      const meta = {
        timing: { preprocessMs: round(decodeMs + timing.preprocessMs), inferenceMs: round(timing.inferenceMs) },
        backend: classifier.backend.spec,
      };
      return c.json(parsed.batch ? { predictions, ...meta } : { ...predictions[0], ...meta });
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
    if (e instanceof RequestError) return errorResponse(c, e.status, e.code, e.message);
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

const round = (ms: number) => Math.round(ms * 1000) / 1000;
