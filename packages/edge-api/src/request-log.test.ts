import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { lazyClassifier, readyClassifier } from './lazy.ts';
import { stubClassifier } from '../test/stub-classifier.ts';
import { asBodyInit, pngGray8, syntheticImage } from '../test/requests.ts';

describe('one structured log line per request', () => {
  it('gives route, method, status, ms and engine, the error code of a refusal, and never the image', async () => {
    const lines: string[] = [];
    const app = createApp({ classifier: readyClassifier(stubClassifier()), log: (l) => lines.push(l) });
    const png = pngGray8(syntheticImage());
    await app.request('/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: asBodyInit(png) });
    await app.request('/predict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    await app.request('/secret/path?token=abc');
    await app.request('/health');
    await app.request('/x', { method: 'TOKEN-abc123' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(5);
    expect(parsed[0]).toMatchObject({
      event: 'request',
      method: 'POST',
      route: '/predict',
      status: 200,
      engine: 'tfjs',
    });
    expect(parsed[0].ms).toEqual(expect.any(Number));
    expect(parsed[1]).toMatchObject({ route: '/predict', status: 415, error: 'unsupported_media_type' });
    // the client's path is not echoed into the log
    expect(parsed[2]).toMatchObject({ route: 'unmatched', status: 404, error: 'not_found' });
    expect(lines.join('\n')).not.toContain('secret');
    expect(parsed[3]).toMatchObject({ route: '/health', status: 200 });
    // a method is the client's text too: an unknown one is not echoed
    expect(parsed[4]).toMatchObject({ method: 'other', route: 'unmatched' });
    expect(lines.join('\n')).not.toContain('TOKEN');
    // no image bytes, in any form: every line is short
    for (const l of lines) expect(l.length).toBeLessThan(200);
  });

  it('says engine null while the model has not loaded', async () => {
    const lines: string[] = [];
    const app = createApp({ classifier: lazyClassifier(async () => stubClassifier()), log: (l) => lines.push(l) });
    await app.request('/');
    expect(JSON.parse(lines[0])).toMatchObject({ route: '/', status: 200, engine: null });
  });
});
