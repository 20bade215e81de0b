import * as tf from '@tensorflow/tfjs-core';
import type { WeightDecayScope } from './recipe.ts';
import { decays, loadOptimizerState, type NinOptimizer } from './optimizer.ts';

export const ADAMW_BETA1 = 0.9;
export const ADAMW_BETA2 = 0.999;
export const ADAMW_EPS = 1e-8;

/**
 * `torch.optim.AdamW` with its defaults (betas 0.9/0.999, eps 1e-8, no amsgrad): `p *= 1 - lr * wd` (decoupled
 * decay), `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`, `p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`.
 * Adam scales every parameter's step to its own gradient history, which starts NiN (no normalisation layer) far
 * faster than SGD at small inputs.
 */
export class AdamWOptimizer implements NinOptimizer {
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    readonly weightDecay: number,
    readonly weightDecayScope: WeightDecayScope,
  ) {
    for (const [name, p] of params) {
      this.#m.set(name, tf.variable(tf.zerosLike(p), false));
      this.#v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  get state(): ReadonlyMap<string, tf.Variable> {
    return new Map([
      ...[...this.#m].map(([n, t]) => [`adam_m/${n}`, t] as const),
      ...[...this.#v].map(([n, t]) => [`adam_v/${n}`, t] as const),
    ]);
  }

  apply(
    params: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor>,
    learningRate: number,
    step: number,
  ): void {
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`AdamW needs the 1-based step count, got ${step}`);
    const correction1 = 1 - ADAMW_BETA1 ** step;
    const correction2 = 1 - ADAMW_BETA2 ** step;
    tf.tidy(() => {
      for (const [name, p] of params) {
        const g = grads.get(name);
        if (!g) throw new Error(`no gradient for parameter ${name}`);
        const m = this.#m.get(name)!;
        const v = this.#v.get(name)!;
        const decayed =
          this.weightDecay > 0 && decays(this.weightDecayScope, name)
            ? tf.mul(p, 1 - learningRate * this.weightDecay)
            : p;
        m.assign(tf.add(tf.mul(m, ADAMW_BETA1), tf.mul(g, 1 - ADAMW_BETA1)));
        v.assign(tf.add(tf.mul(v, ADAMW_BETA2), tf.mul(tf.square(g), 1 - ADAMW_BETA2)));
        const denominator = tf.add(tf.sqrt(tf.div(v, correction2)), ADAMW_EPS);
        p.assign(tf.sub(decayed, tf.mul(learningRate / correction1, tf.div(m, denominator))));
      }
    });
  }

  loadState(values: ReadonlyMap<string, Float32Array>): void {
    loadOptimizerState(this.state, values, (v, data) => v.assign(tf.tensor(data, v.shape)));
  }

  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
