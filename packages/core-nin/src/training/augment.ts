import { seededRandom } from '../model/nin.ts';
import { FASHION_MNIST_SIDE } from '../data/preprocess.ts';
import type { Augmentation } from './recipe.ts';

/** What happens to one training image in one epoch. */
export interface ImageTransform {
  readonly dx: number;
  readonly dy: number;
  readonly flip: boolean;
}

export const IDENTITY_TRANSFORM: ImageTransform = { dx: 0, dy: 0, flip: false };

/**
 * The transform of training image `index` in epoch `epoch`: a pure function of (seed, epoch, index), so a resumed
 * run, a second worker or a micro-batch draws exactly what an uninterrupted single-worker run draws.
 */
export function transformFor(augment: Augmentation, seed: number, epoch: number, index: number): ImageTransform {
  if (augment.shift === 0 && !augment.flip) return IDENTITY_TRANSFORM;
  const random = seededRandom(
    Math.imul(seed + 1, 0x27d4eb2f) ^ Math.imul(epoch + 1, 0x165667b1) ^ Math.imul(index + 1, 0x9e3779b1),
  );
  const span = 2 * augment.shift + 1;
  const dx = Math.floor(random() * span) - augment.shift;
  const dy = Math.floor(random() * span) - augment.shift;
  const flip = augment.flip && random() < 0.5;
  return { dx, dy, flip };
}

/**
 * Applies `t` to a 28x28 image into `out`: mirror left-right first, then shift by (dx, dy) with zeros (Fashion-MNIST's
 * background) shifted in. Done on the 8-bit image before the resize, so the model sees what a camera would give.
 */
export function transformImage(image: Uint8Array, t: ImageTransform, out: Uint8Array): Uint8Array {
  const side = FASHION_MNIST_SIDE;
  if (t === IDENTITY_TRANSFORM || (t.dx === 0 && t.dy === 0 && !t.flip)) {
    out.set(image);
    return out;
  }
  out.fill(0);
  for (let y = 0; y < side; y++) {
    const sy = y - t.dy;
    if (sy < 0 || sy >= side) continue;
    for (let x = 0; x < side; x++) {
      const sx0 = x - t.dx;
      if (sx0 < 0 || sx0 >= side) continue;
      const sx = t.flip ? side - 1 - sx0 : sx0;
      out[y * side + x] = image[sy * side + sx];
    }
  }
  return out;
}
