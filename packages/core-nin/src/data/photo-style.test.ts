import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { nodeImageDecoderWasm } from '../node/image-decoder-wasm.ts';
import { decodeImage } from './decode-image.ts';
import type { RgbaImage } from './image.ts';
import { encodePhoto, PHOTO_VARIANTS, photoStyleFile, photoStyleImage, photoVariant } from './photo-style.ts';
import { FASHION_MNIST_PIXELS } from './preprocess.ts';

const luma = (image: RgbaImage, x: number, y: number) => {
  const i = (y * image.width + x) * 4;
  return image.data[i] * 0.299 + image.data[i + 1] * 0.587 + image.data[i + 2] * 0.114;
};

describe('photo-style pictures', () => {
  let tiles: Uint8Array;
  const tileAt = (i: number) => tiles.subarray(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS);
  beforeAll(async () => {
    tiles = (await loadFashionMnist('test', { download: false })).images;
  });

  it('has the variants the accuracy figures are reported for, by unique names', () => {
    const names = PHOTO_VARIANTS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['white-png', 'grey-jpeg', 'colour-jpeg', 'large-offcentre-jpeg', 'small-png']),
    );
    expect(photoVariant('grey-jpeg').format).toBe('jpeg');
    expect(() => photoVariant('poster')).toThrow(/unknown photo variant "poster"; known: white-png, /);
    expect(() => photoStyleImage(new Uint8Array(10), PHOTO_VARIANTS[0], 1)).toThrow(/784 bytes\), got 10/);
  });

  it('is the same picture for the same seed and another for another seed', () => {
    for (const variant of PHOTO_VARIANTS) {
      const a = photoStyleFile(tileAt(5), variant, 42);
      expect(photoStyleFile(tileAt(5), variant, 42), variant.name).toEqual(a);
      expect(photoStyleFile(tileAt(5), variant, 43), variant.name).not.toEqual(a);
    }
  });

  it.each(PHOTO_VARIANTS.map((v) => [v.name, v] as const))(
    '%s: sizes in range, a light (or transparent) backdrop, a dark garment where the tile is bright',
    (_, variant) => {
      for (let i = 0; i < 12; i++) {
        const tile = tileAt(100 + 71 * i);
        const image = photoStyleImage(tile, variant, i);
        const long = Math.max(image.width, image.height);
        expect(long).toBeGreaterThanOrEqual(variant.longSide[0]);
        expect(long).toBeLessThanOrEqual(variant.longSide[1]);
        expect(image.data).toHaveLength(image.width * image.height * 4);
        const corners = [
          [0, 0],
          [image.width - 1, 0],
          [0, image.height - 1],
          [image.width - 1, image.height - 1],
        ];
        for (const [x, y] of corners) {
          if (variant.transparent) expect(image.data[(y * image.width + x) * 4 + 3]).toBe(0);
          else expect(luma(image, x, y)).toBeGreaterThan(variant.backgroundLevel[0] - 12);
        }
        // the darkest pixel of the picture is garment: far darker than the backdrop (or, for a cut-out, opaque)
        let darkest = 255;
        let opaque = 0;
        for (let y = 0; y < image.height; y++)
          for (let x = 0; x < image.width; x++) {
            darkest = Math.min(darkest, luma(image, x, y));
            opaque = Math.max(opaque, image.data[(y * image.width + x) * 4 + 3]);
          }
        if (variant.transparent) expect(opaque).toBeGreaterThan(200);
        else expect(darkest).toBeLessThan(variant.backgroundLevel[0] - 100);
      }
    },
  );

  it('places the off-centre variants anywhere within the margin, not always in the middle', () => {
    const large = photoVariant('large-offcentre-jpeg');
    const offsets = Array.from({ length: 10 }, (_, seed) => {
      const image = photoStyleImage(tileAt(0), large, seed);
      let [left, right] = [image.width, -1];
      for (let y = 0; y < image.height; y++)
        for (let x = 0; x < image.width; x++)
          if (luma(image, x, y) < 150) [left, right] = [Math.min(left, x), Math.max(right, x)];
      expect(left).toBeGreaterThanOrEqual(Math.round(0.05 * Math.min(image.width, image.height)) - 1);
      return (left + right) / 2 / image.width;
    });
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(0.15);
  });

  it('gives a colour garment a hue (the colour variant), gray otherwise', () => {
    const saturation = (variant: string) => {
      const image = photoStyleImage(tileAt(3), photoVariant(variant), 9);
      let most = 0;
      for (let i = 0; i < image.data.length; i += 4)
        most = Math.max(most, Math.max(...image.data.subarray(i, i + 3)) - Math.min(...image.data.subarray(i, i + 3)));
      return most;
    };
    expect(saturation('colour-jpeg')).toBeGreaterThan(40);
    expect(saturation('white-png')).toBe(0);
  });

  it('encodes PNG and JPEG that decodeImage reads back (JPEG within its losses)', async () => {
    const wasm = await nodeImageDecoderWasm();
    for (const variant of PHOTO_VARIANTS) {
      const image = photoStyleImage(tileAt(7), variant, 3);
      const bytes = photoStyleFile(tileAt(7), variant, 3);
      const decoded = await decodeImage(bytes, { wasm });
      expect(decoded).toMatchObject({ format: variant.format, width: image.width, height: image.height });
      let diff = 0;
      for (let i = 0; i < image.data.length; i++) diff += Math.abs(decoded.data[i] - image.data[i]);
      diff /= image.data.length;
      if (variant.format === 'png') expect(decoded.data, variant.name).toEqual(image.data);
      else expect(diff, variant.name).toBeLessThan(3);
    }
    // a cut-out keeps its alpha
    const cutout = photoStyleImage(tileAt(7), photoVariant('cutout-png'), 3);
    expect((await decodeImage(encodePhoto(cutout, 'png'), { wasm })).data).toEqual(cutout.data);
  });
});
