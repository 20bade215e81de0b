import { describe, expect, it } from 'vitest';
import type { EdgeClassifier } from './classifier.ts';
import { lazyClassifier } from './lazy.ts';

const fake = {} as EdgeClassifier;

describe('lazyClassifier', () => {
  it('does nothing until asked, then shares one load between concurrent callers', async () => {
    let loads = 0;
    let release!: () => void;
    const source = lazyClassifier(async () => {
      loads++;
      await new Promise<void>((r) => (release = r));
      return fake;
    });
    expect(source.state).toBe('cold');
    const callers = Array.from({ length: 8 }, () => source.get());
    expect(source.state).toBe('loading');
    await Promise.resolve();
    release();
    expect(await Promise.all(callers)).toEqual(Array(8).fill(fake));
    expect(loads).toBe(1);
    expect(source.state).toBe('ready');
    await source.get();
    expect(loads).toBe(1);
  });

  it('remembers a failure and retries on the next call', async () => {
    let loads = 0;
    const source = lazyClassifier(async () => {
      if (++loads === 1) throw new Error('first try fails');
      return fake;
    });
    const [a, b] = await Promise.allSettled([source.get(), source.get()]);
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'first try fails' } });
    expect(b.status).toBe('rejected');
    expect(loads).toBe(1);
    expect(source.state).toBe('failed');
    expect(source.error?.message).toBe('first try fails');
    expect(await source.get()).toBe(fake);
    expect(loads).toBe(2);
    expect(source.state).toBe('ready');
    expect(source.error).toBeNull();
  });
});
