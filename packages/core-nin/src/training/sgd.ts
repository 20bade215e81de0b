import * as tf from '@tensorflow/tfjs-core';
import type { WeightDecayScope } from './recipe.ts';
import { decays, loadOptimizerState, type NinOptimizer } from './optimizer.ts';

/**
 * SGD with optional momentum and weight decay, as `torch.optim.SGD` (dampening 0, no Nesterov):
 * `g += wd * p; v = m * v + g; p -= lr * v`. Written out (rather than tf.train.momentum) so that its state is
 * plain named tensors that a checkpoint saves and restores exactly, and the update matches PyTorch's.
 */
export class SgdOptimizer implements NinOptimizer {
  /** momentum buffers, by parameter name (empty when momentum is 0) */
  readonly velocity = new Map<string, tf.Variable>();

  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    readonly momentum: number,
    readonly weightDecay: number,
    readonly weightDecayScope: WeightDecayScope = 'all',
  ) {
    // Created up front (zeros = PyTorch's first step, v = g) so the number of live tensors never changes.
    if (momentum > 0) for (const [name, p] of params) this.velocity.set(name, tf.variable(tf.zerosLike(p), false));
  }

  get state(): ReadonlyMap<string, tf.Variable> {
    return new Map([...this.velocity].map(([name, v]) => [`velocity/${name}`, v]));
  }

  /** Applies one update; `grads` are keyed by parameter name. Disposes nothing it was given. */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    tf.tidy(() => {
      const lr = tf.scalar(learningRate);
      const m = tf.scalar(this.momentum);
      const wd = tf.scalar(this.weightDecay);
      for (const [name, p] of params) {
        const g0 = grads.get(name);
        if (!g0) throw new Error(`no gradient for parameter ${name}`);
        let g = this.weightDecay > 0 && decays(this.weightDecayScope, name) ? tf.add(g0, tf.mul(wd, p)) : g0;
        const v = this.velocity.get(name);
        if (v) {
          v.assign(tf.add(tf.mul(m, v), g));
          g = v;
        }
        p.assign(tf.sub(p, tf.mul(lr, g)));
      }
    });
  }

  loadState(values: ReadonlyMap<string, Float32Array>): void {
    loadOptimizerState(this.state, values, (v, data) => v.assign(tf.tensor(data, v.shape)));
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
