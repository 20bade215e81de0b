import type { MiddlewareHandler } from 'hono';
import { RequestError } from './errors.ts';

/** Workers' rate limiting binding (`[[ratelimits]]` in wrangler.toml; wrangler dev simulates it in memory). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** What the Worker's env holds for the limiter: the binding, and `RATE_LIMIT = "off"` to turn it off in a run. */
export interface RateLimitEnv {
  readonly RATE_LIMITER?: RateLimitBinding;
  readonly RATE_LIMIT?: string;
}

export interface RateLimitOptions {
  /** requests a client may make per period (what wrangler.toml's `[ratelimits.simple]` says; the test checks it) */
  readonly requests: number;
  /** the binding's window in seconds (10 or 60): a refused client is told to retry after one window */
  readonly periodSeconds: number;
}

/**
 * Per-client rate limiting with the Workers binding, keyed by `CF-Connecting-IP`, the client address Cloudflare
 * (and wrangler dev's entry proxy) sets. Over the limit: 429 with `Retry-After`, before the body is read.
 * No limit without the binding (Node, plain workerd for load tests: `npm run edge:serve`), with `RATE_LIMIT=off`
 * (the bench measures the engine, not the limiter), or without that header (a request that did not come through
 * Cloudflare's edge, e.g. straight to the Worker's own socket on this machine).
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<{ Bindings: RateLimitEnv | undefined }> {
  return async (c, next) => {
    const binding = c.env?.RATE_LIMITER;
    const client = c.req.header('cf-connecting-ip');
    if (binding === undefined || c.env?.RATE_LIMIT === 'off' || client === undefined) return next();
    const { success } = await binding.limit({ key: client });
    if (!success) {
      throw new RequestError(
        429,
        'rate_limited',
        `more than ${options.requests} requests in ${options.periodSeconds} s from this client; retry after ${options.periodSeconds} s`,
        { 'Retry-After': String(options.periodSeconds) },
      );
    }
    return next();
  };
}
