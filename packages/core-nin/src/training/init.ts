import { NIN_CONVS } from '../model/architecture.ts';
import { initialNinWeights, seededRandom } from '../model/nin.ts';

export type NinInit = 'xavier-uniform' | 'he-normal' | 'he-normal-live-head';
export const NIN_INITS: readonly NinInit[] = ['xavier-uniform', 'he-normal', 'he-normal-live-head'];

/** The bias every output channel starts with under `he-normal-live-head`. */
export const LIVE_HEAD_BIAS = 1;

/**
 * Initial NiN parameters (HWIO), seeded. `xavier-uniform` is d2l's (`initialNinWeights`); `he-normal` is
 * `nn.init.kaiming_normal_(w, nonlinearity='relu')` (std sqrt(2 / fan_in)) with PyTorch's default biases. NiN has no
 * normalisation layer, and with Xavier's smaller weights its ten-channel ReLU layers pass almost no signal at
 * first, which is why d2l's run sits at chance loss for a long while; He's scale starts it learning at once.
 */
export function initialWeights(init: NinInit, seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const weights = initialNinWeights(seed);
  if (init === 'xavier-uniform') return weights;
  if (init === 'he-normal-live-head') {
    // NiN ends in conv + ReLU + global average pool, so an output channel whose pre-activation is negative on every
    // input is a dead logit: it answers 0 and gets no gradient, ever. He-normal's last 10x10 layer starts some dead
    // (seed 0: trouser and ankle boot on all of 200 test images), and a 100 px run kept "ankle boot" dead through
    // its first epoch (0 of 1,000 test boots). Same draws as he-normal, then the last conv starts at weights 0 and
    // bias +1: every logit alive and equal (uniform answer), the weights learning from the first step.
    const he = initialWeights('he-normal', seed);
    const last = NIN_CONVS[NIN_CONVS.length - 1];
    he.get(`${last.name}.weight`)!.data.fill(0);
    he.get(`${last.name}.bias`)!.data.fill(LIVE_HEAD_BIAS);
    return he;
  }
  const random = seededRandom(seed ^ 0x5bd1e995);
  const normal = () => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  for (const c of NIN_CONVS) {
    const w = weights.get(`${c.name}.weight`)!;
    const std = Math.sqrt(2 / (c.inChannels * c.kernel * c.kernel));
    for (let i = 0; i < w.data.length; i++) w.data[i] = normal() * std;
  }
  return weights;
}
