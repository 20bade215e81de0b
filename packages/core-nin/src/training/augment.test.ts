import { describe, expect, it } from 'vitest';
import { IDENTITY_TRANSFORM, transformFor, transformImage } from './augment.ts';

const image = Uint8Array.from({ length: 784 }, (_, i) => (i % 28) + 1); // column index + 1, never 0

describe('augmentation', () => {
  it('is a pure function of (seed, epoch, image), within the recipe bounds', () => {
    const aug = { shift: 2, flip: true };
    expect(transformFor(aug, 1, 3, 77)).toEqual(transformFor(aug, 1, 3, 77));
    const draws = Array.from({ length: 2000 }, (_, i) => transformFor(aug, 1, 0, i));
    expect(new Set(draws.map((t) => t.dx))).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(new Set(draws.map((t) => t.dy))).toEqual(new Set([-2, -1, 0, 1, 2]));
    const flips = draws.filter((t) => t.flip).length / draws.length;
    expect(flips).toBeGreaterThan(0.45);
    expect(flips).toBeLessThan(0.55);
    expect(transformFor(aug, 1, 1, 77)).not.toEqual(transformFor(aug, 1, 0, 77)); // a new draw each epoch (for this image)
    expect(transformFor({ shift: 0, flip: false }, 1, 3, 77)).toBe(IDENTITY_TRANSFORM);
  });

  it('shifts with zeros shifted in, and mirrors left-right', () => {
    const out = new Uint8Array(784);
    transformImage(image, { dx: 2, dy: -1, flip: false }, out);
    expect(out[0 * 28 + 0]).toBe(0); // shifted in from the left
    expect(out[0 * 28 + 2]).toBe(1); // column 0 moved to column 2
    expect(out[27 * 28 + 5]).toBe(0); // shifted in from the bottom
    transformImage(image, { dx: 0, dy: 0, flip: true }, out);
    expect(out[3 * 28 + 0]).toBe(28);
    expect(out[3 * 28 + 27]).toBe(1);
    transformImage(image, IDENTITY_TRANSFORM, out);
    expect(out).toEqual(image);
  });
});
