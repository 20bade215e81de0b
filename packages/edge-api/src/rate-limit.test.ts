import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { EDGE_LIMITS } from './limits.ts';
import { readyClassifier } from './lazy.ts';
import { clientKey, type RateLimitBinding } from './rate-limit.ts';
import { REPO_ROOT } from './node/wrangler.ts';
import { stubClassifier } from '../test/stub-classifier.ts';

/** The binding as Cloudflare and wrangler dev count: a fixed window, a budget per key. */
function windowLimiter(limit: number): RateLimitBinding & { keys: string[] } {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    async limit({ key }) {
      keys.push(key);
      const n = counts.get(key) ?? 0;
      if (n >= limit) return { success: false };
      counts.set(key, n + 1);
      return { success: true };
    },
  };
}

const predict = (app: ReturnType<typeof createApp>, env: object, ip?: string) =>
  app.request(
    '/predict',
    {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...(ip ? { 'cf-connecting-ip': ip } : {}) },
      body: new Uint8Array(784),
    },
    env,
  );

describe('rate limiting of POST /predict', () => {
  it('refuses a client over its budget with 429 and Retry-After, before the model; other clients go on', async () => {
    const stub = stubClassifier();
    const app = createApp({ classifier: readyClassifier(stub), log: () => {} });
    const env = { RATE_LIMITER: windowLimiter(3) };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await predict(app, env, '198.51.100.1')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await predict(app, env, '198.51.100.1');
    expect(refused.headers.get('retry-after')).toBe(String(EDGE_LIMITS.rateLimitPeriodSeconds));
    expect(await refused.json()).toMatchObject({ error: { status: 429, code: 'rate_limited' } });
    expect(stub.calls).toHaveLength(3);
    expect((await predict(app, env, '198.51.100.2')).status).toBe(200);
    expect(env.RATE_LIMITER.keys.every((k) => k.startsWith('198.51.100.'))).toBe(true);
  });

  it('does not limit without the binding, with RATE_LIMIT=off, without CF-Connecting-IP, or other routes', async () => {
    const app = createApp({ classifier: readyClassifier(stubClassifier()), log: () => {} });
    const none = windowLimiter(0);
    expect((await predict(app, {}, '198.51.100.1')).status).toBe(200);
    expect((await predict(app, { RATE_LIMITER: none, RATE_LIMIT: 'off' }, '198.51.100.1')).status).toBe(200);
    expect((await predict(app, { RATE_LIMITER: none })).status).toBe(200);
    expect((await predict(app, { RATE_LIMITER: none }, '198.51.100.1')).status).toBe(429);
    const health = await app.request(
      '/health',
      { headers: { 'cf-connecting-ip': '198.51.100.1' } },
      { RATE_LIMITER: none },
    );
    expect(health.status).toBe(200);
  });

  it('keys an IPv6 client by its /64, so that rotating addresses inside it gives no fresh budget; IPv4 as it is', async () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('2001:db8:aa:bb::1')).toBe('2001:db8:aa:bb::/64');
    expect(clientKey('2001:0DB8:00aa:00bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(clientKey('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(clientKey(undefined)).toBeUndefined();
    const app = createApp({ classifier: readyClassifier(stubClassifier()), log: () => {} });
    const env = { RATE_LIMITER: windowLimiter(2) };
    const statuses = [];
    for (const ip of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2::c'])
      statuses.push((await predict(app, env, ip)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await predict(app, env, '2001:db8:1:3::a')).status).toBe(200);
  });

  it('lets a page on another site read Retry-After (CORS exposes it)', async () => {
    const app = createApp({ classifier: readyClassifier(stubClassifier()), log: () => {} });
    const res = await app.request(
      '/predict',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'cf-connecting-ip': '198.51.100.9',
          origin: 'https://shop.example',
        },
        body: new Uint8Array(784),
      },
      { RATE_LIMITER: windowLimiter(0) },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/i);
  });

  it("wrangler.toml's [[ratelimits]] say what EDGE_LIMITS say, in every environment", async () => {
    const toml = await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
    const envs = [...toml.matchAll(/^\[env\.([\w-]+)\]$/gm)].map((m) => m[1]);
    const sections = [...toml.matchAll(/^\[\[(?:env\.([\w-]+)\.)?ratelimits\]\]\n((?:[^[\n].*\n)*)/gm)];
    expect(sections.map((m) => m[1] ?? '(top level)').sort()).toEqual(['(top level)', ...envs].sort());
    for (const [, , body] of sections) {
      expect(body).toMatch(/^name = "RATE_LIMITER"$/m);
      const simple = /^simple = \{ limit = (\d+), period = (\d+) \}$/m.exec(body);
      expect(simple?.slice(1).map(Number)).toEqual([EDGE_LIMITS.rateLimitRequests, EDGE_LIMITS.rateLimitPeriodSeconds]);
    }
  });
});
