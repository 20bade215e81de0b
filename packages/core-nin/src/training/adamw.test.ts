import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamWOptimizer } from './adamw.ts';
import { SgdOptimizer } from './sgd.ts';

describe('AdamW', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('follows torch.optim.AdamW, decaying conv weights only when asked', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const params = new Map([
      ['conv.weight', w],
      ['conv.bias', b],
    ]);
    const opt = new AdamWOptimizer(params, 0.1, 'weights');
    const gw = tf.tensor1d([0.5, -0.25]);
    const gb = tf.tensor1d([2]);
    // torch: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * m_hat / (sqrt(v_hat) + eps)
    const ref = (p: number, gs: number[], lrs: number[], wd: number) => {
      let m = 0;
      let v = 0;
      gs.forEach((g, i) => {
        const t = i + 1;
        p *= 1 - lrs[i] * wd;
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        p -= (lrs[i] * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
      });
      return p;
    };
    const lrs = [0.01, 0.005, 0.02];
    lrs.forEach((lr, i) =>
      opt.apply(
        params,
        new Map([
          ['conv.weight', gw],
          ['conv.bias', gb],
        ]),
        lr,
        i + 1,
      ),
    );
    const got = w.dataSync();
    expect(got[0]).toBeCloseTo(ref(1, [0.5, 0.5, 0.5], lrs, 0.1), 6);
    expect(got[1]).toBeCloseTo(ref(-2, [-0.25, -0.25, -0.25], lrs, 0.1), 6);
    // The bias is not decayed under scope 'weights'.
    expect(b.dataSync()[0]).toBeCloseTo(ref(0.5, [2, 2, 2], lrs, 0), 6);
    expect([...opt.state.keys()]).toEqual([
      'adam_m/conv.weight',
      'adam_m/conv.bias',
      'adam_v/conv.weight',
      'adam_v/conv.bias',
    ]);
    expect(() =>
      opt.apply(
        params,
        new Map([
          ['conv.weight', gw],
          ['conv.bias', gb],
        ]),
        0.01,
        0,
      ),
    ).toThrow(/1-based/);
    opt.dispose();
    tf.dispose([w, b, gw, gb]);
  });

  it('restores its state exactly, and refuses state of the wrong size', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const params = new Map([['conv.weight', p]]);
    const opt = new AdamWOptimizer(params, 0, 'all');
    opt.loadState(
      new Map([
        ['adam_m/conv.weight', new Float32Array([0.1, 0.2])],
        ['adam_v/conv.weight', new Float32Array([0.3, 0.4])],
      ]),
    );
    expect(Array.from(opt.state.get('adam_v/conv.weight')!.dataSync())).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    expect(() => opt.loadState(new Map([['adam_m/conv.weight', new Float32Array([1])]]))).toThrow(
      /adam_m\/conv.weight/,
    );
    opt.dispose();
    p.dispose();
  });

  it("SGD's weight decay skips biases under scope 'weights'", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const opt = new SgdOptimizer(
      new Map([
        ['c.weight', w],
        ['c.bias', b],
      ]),
      0,
      0.5,
      'weights',
    );
    const zero = tf.tensor1d([0]);
    opt.apply(
      new Map([
        ['c.weight', w],
        ['c.bias', b],
      ]),
      new Map([
        ['c.weight', zero],
        ['c.bias', zero],
      ]),
      0.1,
    );
    expect(w.dataSync()[0]).toBeCloseTo(1 - 0.1 * 0.5, 6);
    expect(b.dataSync()[0]).toBe(1);
    tf.dispose([w, b, zero]);
  });
});
