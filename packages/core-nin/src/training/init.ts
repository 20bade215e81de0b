import { NIN_CONVS } from '../model/architecture.ts';
import { initialNinWeights, seededRandom } from '../model/nin.ts';

export type NinInit = 'xavier-uniform' | 'he-normal';
export const NIN_INITS: readonly NinInit[] = ['xavier-uniform', 'he-normal'];

/**
 * Initial NiN parameters (HWIO), seeded. `xavier-uniform` is d2l's (`initialNinWeights`); `he-normal` is
 * `nn.init.kaiming_normal_(w, nonlinearity='relu')` (std sqrt(2 / fan_in)) with PyTorch's default biases. NiN has no
 * normalisation layer, and with Xavier's smaller weights its ten-channel ReLU layers pass almost no signal at
 * first, which is why d2l's run sits at chance loss for a long while; He's scale starts it learning at once.
 */
export function initialWeights(init: NinInit, seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const weights = initialNinWeights(seed);
  if (init === 'xavier-uniform') return weights;
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
