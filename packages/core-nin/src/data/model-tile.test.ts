import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { nodeImageDecoderWasm } from '../node/image-decoder-wasm.ts';
import { decodeImage } from './decode-image.ts';
import type { RgbaImage } from './image.ts';
import { toModelTile } from './model-tile.ts';
import { PHOTO_VARIANTS, photoStyleFile, photoStyleImage } from './photo-style.ts';
import { decodePng, decodePngToGray28 } from './png.ts';
import { FASHION_MNIST_PIXELS } from './preprocess.ts';

/** An RGBA picture filled by `pixel(x, y)` -> [r, g, b, a]. */
function picture(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  return { width, height, data };
}

/** A gray 28x28 tile as an opaque RGBA picture. */
const tileImage = (tile: Uint8Array): RgbaImage => picture(28, 28, (x, y) => [...Array(3).fill(tile[y * 28 + x]), 255]);

/** Mean absolute difference in gray levels. */
const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

/** column or row sums of a 28x28 tile's nonzero pixels */
const nonzero = (tile: Uint8Array) => tile.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);

describe('toModelTile', () => {
  let images: Uint8Array; // the 10,000 real test tiles
  const tileAt = (i: number) => images.subarray(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS);
  beforeAll(async () => {
    images = (await loadFashionMnist('test', { download: false })).images;
  });

  describe("fit 'tile'", () => {
    it('is bit for bit decodePngToGray28 (28x28 gray PNGs unchanged, other sizes and RGB resized alike)', () => {
      for (let i = 0; i < 50; i++) {
        const png = encode({ width: 28, height: 28, data: tileAt(i), channels: 1, depth: 8 });
        const { tile, fit } = toModelTile(decodePng(png), 'tile');
        expect(fit).toBe('tile');
        expect(tile).toEqual(tileAt(i));
        expect(tile).toEqual(decodePngToGray28(png));
      }
      // a larger RGB picture with a half-transparent corner: resized on black, as decodePngToGray28 does
      const big = picture(90, 61, (x, y) => [(x * 3) % 256, (y * 5) % 256, (x * y) % 256, x < 10 && y < 10 ? 100 : 255]);
      const png = encode({ width: 90, height: 61, data: big.data, channels: 4, depth: 8 });
      expect(toModelTile(decodePng(png), 'tile').tile).toEqual(decodePngToGray28(png));
    });
  });

  describe("fit 'auto'", () => {
    it('judges every one of the 10,000 real test tiles a tile and leaves it unchanged', () => {
      const photos: number[] = [];
      for (let i = 0; i < 10_000; i++) {
        const result = toModelTile(tileImage(tileAt(i)), 'auto');
        if (result.fit !== 'tile' || meanAbsDiff(result.tile, tileAt(i)) !== 0) photos.push(i);
      }
      expect(photos).toEqual([]);
      expect(toModelTile(tileImage(tileAt(0))).reason).toMatch(/^dark border \(median luma \d+\)$/);
    });

    it('judges a white drawing on black a tile, and a light drawing on a transparent border a tile', () => {
      const drawing = picture(64, 64, (x, y) => (Math.abs(x - 32) < 12 && y > 8 && y < 56 ? [250, 250, 250, 255] : [0, 0, 0, 255]));
      expect(toModelTile(drawing).fit).toBe('tile');
      const onTransparent = picture(64, 64, (x, y) => (Math.abs(x - 32) < 12 && y > 8 && y < 56 ? [240, 240, 240, 255] : [0, 0, 0, 0]));
      expect(toModelTile(onTransparent)).toMatchObject({ fit: 'tile', reason: expect.stringMatching(/light drawing/) });
    });

    it('judges a dark cut-out on a transparent border a photo (on white)', () => {
      const cutout = picture(64, 64, (x, y) => (Math.abs(x - 32) < 12 && y > 8 && y < 56 ? [40, 30, 20, 255] : [0, 0, 0, 0]));
      const result = toModelTile(cutout);
      expect(result).toMatchObject({ fit: 'photo', reason: 'a cut-out on a transparent border' });
      expect(result.tile[14 * 28 + 14]).toBeGreaterThan(200); // the dark garment becomes light
      expect(result.tile[0]).toBe(0);
    });
  });

  // The round trip: a real test tile -> a product-photo-like picture (photo-style.ts) -> toModelTile. The mean
  // absolute difference from the tile is about 11.6 gray levels over 600 pictures spread over the test set (4.6 per
  // picture, so about 0.7 for a mean of 40), what enlarging and shrinking cost by themselves (PIL bilinear
  // 28 -> 280 -> 28: 8.9) plus sub-pixel placement; these 40 per variant give 9.9-10.9. For scale: the tiles
  // shifted half a pixel are 11.1 from themselves, one pixel 22.3; centring the odd leftover pixel the other way
  // gives 13.2-13.8 here; today's plain resize of the same photos (fit 'tile') 73 (the cut-outs) to 190.
  describe.each(PHOTO_VARIANTS.map((v) => [v.name, v] as const))("fit 'auto' on %s photos", (_, variant) => {
    const COUNT = 40;
    it(`judges ${COUNT} pictures photos and converts them close to their tiles`, () => {
      let photoDiff = 0;
      let plainDiff = 0;
      for (let i = 0; i < COUNT; i++) {
        const index = 37 * i; // spread over the test set (its classes come in no order)
        const image = photoStyleImage(tileAt(index), variant, 1000 + index);
        const result = toModelTile(image);
        expect(result.fit, `picture ${index}: ${result.reason}`).toBe('photo');
        expect(result.tile).toHaveLength(784);
        photoDiff += meanAbsDiff(result.tile, tileAt(index)) / COUNT;
        plainDiff += meanAbsDiff(toModelTile(image, 'tile').tile, tileAt(index)) / COUNT;
      }
      expect(photoDiff).toBeLessThan(13);
      expect(plainDiff).toBeGreaterThan(50);
    });

    it('does the same on the encoded pictures as decodeImage reads them', async () => {
      const wasm = await nodeImageDecoderWasm();
      let diff = 0;
      for (let i = 0; i < 8; i++) {
        const index = 1000 + 53 * i;
        const decoded = await decodeImage(photoStyleFile(tileAt(index), variant, index), { wasm });
        expect(decoded.format).toBe(variant.format);
        const result = toModelTile(decoded);
        expect(result.fit).toBe('photo');
        diff += meanAbsDiff(result.tile, tileAt(index)) / 8;
      }
      expect(diff).toBeLessThan(16); // 8 pictures and JPEG's losses: a looser bound (the mean's spread is about 1.6)
    });
  });

  describe("fit 'photo'", () => {
    it('makes a light-grey backdrop black, as in every Fashion-MNIST tile', () => {
      const grey = PHOTO_VARIANTS.find((v) => v.name === 'grey-jpeg')!;
      const { tile } = toModelTile(photoStyleImage(tileAt(0), { ...grey, noise: 0, gradient: 0 }, 7), 'photo');
      expect([tile[0], tile[27], tile[27 * 28], tile[783]]).toEqual([0, 0, 0, 0]);
    });

    it('keeps a dark backdrop dark: a real tile forced through it stays close to itself', () => {
      let diff = 0;
      for (let i = 0; i < 20; i++) diff += meanAbsDiff(toModelTile(tileImage(tileAt(i)), 'photo').tile, tileAt(i)) / 20;
      expect(diff).toBeLessThan(10); // 7.2 (24.6 with the odd leftover pixel centred the other way)
    });

    it('uses the whole picture when there is nothing to trim', () => {
      for (const level of [255, 200, 0]) {
        const uniform = picture(40, 30, () => [level, level, level, 255]);
        expect(toModelTile(uniform, 'photo').tile).toEqual(new Uint8Array(784));
      }
      expect(toModelTile(picture(40, 30, () => [255, 255, 255, 255]))).toMatchObject({ fit: 'photo' });
      expect(toModelTile(picture(40, 30, () => [0, 0, 0, 0]))).toMatchObject({ fit: 'photo', tile: new Uint8Array(784) });
      expect(toModelTile(picture(1, 1, () => [10, 10, 10, 255])).tile).toHaveLength(784);
    });

    it('stretches a 1-pixel-wide line to the 28 rows, centred, and keeps a single dot', () => {
      const line = toModelTile(picture(100, 100, (x, y) => (x === 30 && y >= 10 && y < 90 ? [0, 0, 0, 255] : [255, 255, 255, 255])));
      expect(line.fit).toBe('photo');
      // 80 px tall, 1 wide: 28 x 1 after the resize, in the middle column (an odd leftover goes left)
      for (let y = 0; y < 28; y++) expect(line.tile[y * 28 + 14], `row ${y}`).toBeGreaterThan(200);
      expect(nonzero(line.tile)).toBe(28);
      const dot = toModelTile(picture(50, 50, (x, y) => (x === 7 && y === 40 ? [0, 0, 0, 255] : [255, 255, 255, 255])));
      expect(dot.tile.every((v) => v > 200)).toBe(true); // one pixel is the whole object: it fills the tile
      const wide = toModelTile(picture(300, 1, (x) => (x >= 100 && x < 200 ? [0, 0, 0, 255] : [255, 255, 255, 255])));
      expect(wide.fit).toBe('photo');
      expect(nonzero(wide.tile)).toBe(28); // one row of 28
    });

    it('keeps a thin strip that is subsampled (short side below the factor): not an empty tile', () => {
      for (const [w, h] of [
        [1, 448],
        [4000, 1],
        [5, 2048],
      ]) {
        const long = Math.max(w, h);
        const strip = picture(w, h, (x, y) => {
          const at = w > h ? x : y;
          return at >= long / 3 && at < (2 * long) / 3 ? [0, 0, 0, 255] : [255, 255, 255, 255];
        });
        expect(nonzero(toModelTile(strip, 'photo').tile), `${w}x${h}`).toBeGreaterThan(0);
      }
    });

    it('judges a large picture with a transparent border without an array per pixel (a light drawing: tile)', () => {
      const drawing = picture(1024, 1024, (x, y) =>
        x === 0 || y === 0 || x === 1023 || y === 1023 ? [0, 0, 0, 0] : [230, 230, 230, 255],
      );
      // the median from a histogram (it was an array of a million lumas, sorted: 0.3 s and 43 MB)
      expect(toModelTile(drawing)).toMatchObject({ fit: 'tile', reason: expect.stringMatching(/median luma 230/) });
    });

    it('refuses a picture whose data does not match its size', () => {
      expect(() => toModelTile({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(
        /RGBA data has 15 bytes, expected 2x2x4/,
      );
      expect(() => toModelTile({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(/whole positive sides/);
    });
  });
});
