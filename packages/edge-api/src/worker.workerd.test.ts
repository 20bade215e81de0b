import { exports } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://edge${path}`, init));

describe('the Worker inside workerd', () => {
  it('loads the model on wasm SIMD', async () => {
    const res = await call('/health');
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: 'ready', backend: 'wasm:simd', simd: true, weightPrecision: 'int8' });
    expect(tf.getBackend()).toBe('wasm');
  });
});
