import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { SgdOptimizer } from './sgd.ts';

describe('SGD', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('follows torch.optim.SGD with momentum and weight decay', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const params = new Map([['w', p]]);
    const opt = new SgdOptimizer(params, 0.9, 0.1);
    const g = tf.tensor1d([0.5, 0.25]);
    // torch: d = g + wd*p; v = m*v + d (v = d at step 1); p -= lr*v
    let pv = [1, -2];
    let v = [0, 0];
    for (const lr of [0.1, 0.05]) {
      opt.apply(params, new Map([['w', g]]), lr);
      const d = [0.5 + 0.1 * pv[0], 0.25 + 0.1 * pv[1]];
      v = [0.9 * v[0] + d[0], 0.9 * v[1] + d[1]];
      pv = [pv[0] - lr * v[0], pv[1] - lr * v[1]];
      const got = p.dataSync();
      expect(got[0]).toBeCloseTo(pv[0], 6);
      expect(got[1]).toBeCloseTo(pv[1], 6);
    }
    expect(Array.from(opt.velocity.get('w')!.dataSync()).map((x) => +x.toFixed(6))).toEqual(
      v.map((x) => +x.toFixed(6)),
    );
    opt.dispose();
    tf.dispose([p, g]);
  });

  it('without momentum keeps no state and is p -= lr * g', () => {
    const p = tf.variable(tf.tensor1d([1]));
    const params = new Map([['w', p]]);
    const opt = new SgdOptimizer(params, 0, 0);
    expect(opt.velocity.size).toBe(0);
    const before = tf.memory().numTensors;
    opt.apply(params, new Map([['w', tf.tensor1d([2])]]), 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.8, 6);
    expect(tf.memory().numTensors).toBe(before + 1); // only the gradient made for the call
    tf.dispose([p]);
  });
});
