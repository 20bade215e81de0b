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
 * The limiter's key for a client address: an IPv4 address as it is; an IPv6 address by its /64 (a client usually
 * holds a whole /64 and could take a fresh budget with each address in it).
 */
export function clientKey(address: string | undefined): string | undefined {
  if (address === undefined || !address.includes(':')) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Per-client rate limiting with the Workers binding, keyed by `CF-Connecting-IP`, the client address Cloudflare
 * (and wrangler dev's entry proxy) sets (an IPv6 address by its /64). Over the limit: 429 with `Retry-After`, before the body is read.
 * No limit without the binding (Node, plain workerd for load tests: `npm run edge:serve`), with `RATE_LIMIT=off`
 * (the bench measures the engine, not the limiter), or without that header (a request that did not come through
 * Cloudflare's edge, e.g. straight to the Worker's own socket on this machine).
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<{ Bindings: RateLimitEnv | undefined }> {
  return async (c, next) => {
    const binding = c.env?.RATE_LIMITER;
    const client = clientKey(c.req.header('cf-connecting-ip'));
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
