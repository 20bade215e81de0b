import { seededRandom } from '../model/nin.ts';

/**
 * The order in which epoch `epoch` visits `count` examples: a Fisher-Yates shuffle seeded by (seed, epoch)
 * alone, so a resumed run recomputes exactly the order the interrupted one was following.
 */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const random = seededRandom(Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b));
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** The dropout seed of a global step: distinct per step and per run seed, and recomputable on resume. */
export function dropoutSeedFor(seed: number, globalStep: number): number {
  return (Math.imul(seed + 1, 1_000_003) + globalStep) >>> 0;
}
