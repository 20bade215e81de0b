import type { MiddlewareHandler } from 'hono';

/** One request as the log line says it: never the body or any image bytes. */
export interface RequestLogLine {
  readonly event: 'request';
  readonly method: string;
  /** the route that answered (`/predict`), or `unmatched` (a path is never logged as sent: it is the client's text) */
  readonly route: string;
  readonly status: number;
  /** wall time in the Worker from the request to the answer's headers */
  readonly ms: number;
  /** the engine serving, once the model has loaded (null before) */
  readonly engine: string | null;
  /** the error code of a 4xx/5xx answer */
  readonly error?: string;
}

const LOGGED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'];

/**
 * One structured (JSON) log line per request, for `wrangler tail` and Workers Logs: route, status, time, engine
 * and the error code of a refused request. `engine` is read after the answer (null until the model has loaded).
 */
export function requestLog(
  routes: readonly string[],
  engine: () => string | null,
  log: (line: string) => void = console.log,
): MiddlewareHandler<{ Variables: { errorCode?: string } }> {
  return async (c, next) => {
    const t0 = performance.now();
    await next();
    const line: RequestLogLine = {
      event: 'request',
      // the method is the client's text too: any other token is logged as `other`
      method: LOGGED_METHODS.includes(c.req.method) ? c.req.method : 'other',
      route: routes.includes(c.req.path) ? c.req.path : 'unmatched',
      status: c.res.status,
      ms: Math.round((performance.now() - t0) * 1000) / 1000,
      engine: engine(),
      ...(c.get('errorCode') === undefined ? {} : { error: c.get('errorCode') }),
    };
    log(JSON.stringify(line));
  };
}
