import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { nodeImageDecoderWasm } from '../node/image-decoder-wasm.ts';
import { decodeImage, IMAGE_MEDIA_TYPES, sniffImageFormat, type ImageDecoderWasm } from './decode-image.ts';
import { ImageDecodeError, ImageTooLargeError } from './image-errors.ts';
import { readJpegFrameHeader } from './jpeg.ts';
import { decodePng } from './png.ts';
import { FASHION_MNIST_PIXELS, FASHION_MNIST_SIDE } from './preprocess.ts';

// The upright picture every file below is made from: Fashion-MNIST test image 0 (an ankle boot) enlarged 2x, in
// blue, off-centre on a light backdrop, landscape, so that a mirror, a turn or a swapped channel shows.
const WIDTH = 100;
const HEIGHT = 60;
const [LEFT, TOP, SCALE] = [4, 2, 2];
const BACKDROP = [236, 232, 225];
const GARMENT = [30, 60, 150];

function uprightRgba(tile: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const [tx, ty] = [Math.floor((x - LEFT) / SCALE), Math.floor((y - TOP) / SCALE)];
      const inTile = tx >= 0 && ty >= 0 && tx < FASHION_MNIST_SIDE && ty < FASHION_MNIST_SIDE;
      const a = inTile ? tile[ty * FASHION_MNIST_SIDE + tx] / 255 : 0;
      const o = (y * WIDTH + x) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(BACKDROP[c] * (1 - a) + GARMENT[c] * a);
      // alpha: opaque garment, half-transparent backdrop (what the lossless WebP must keep)
      rgba[o + 3] = inTile && tile[ty * FASHION_MNIST_SIDE + tx] > 0 ? 255 : 128;
    }
  return rgba;
}

/**
 * Pictures made by real encoders (PIL's libjpeg and libwebp) from the upright RGBA: baseline and progressive JPEG
 * at quality 90, one JPEG per EXIF orientation (the pixels stored turned so that the orientation stands them
 * upright; odd ones baseline, even ones progressive), a gray and a CMYK JPEG, lossy and lossless WebP (lossless
 * with alpha) and a two-frame animated WebP.
 */
const PIL_SCRIPT = `
import sys
from PIL import Image
out, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rgba = Image.frombytes('RGBA', (width, height), open(out + '/upright.rgba', 'rb').read())
rgb = rgba.convert('RGB')
rgb.save(out + '/baseline.jpg', quality=90)
rgb.save(out + '/progressive.jpg', quality=90, progressive=True)
rgb.convert('L').save(out + '/gray.jpg', quality=90)
rgb.convert('CMYK').save(out + '/cmyk.jpg', quality=90)
T = Image.Transpose
stored = {1: None, 2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE, 6: T.ROTATE_90, 7: T.TRANSVERSE, 8: T.ROTATE_270}
for k, turn in stored.items():
    exif = Image.Exif()
    exif[0x0112] = k
    (rgb if turn is None else rgb.transpose(turn)).save(out + '/orientation-%d.jpg' % k, quality=90, progressive=k % 2 == 0, exif=exif.tobytes())
rgb.save(out + '/lossy.webp', quality=90)
rgba.save(out + '/lossless.webp', lossless=True, exact=True)
rgb.save(out + '/animated.webp', save_all=True, append_images=[rgb.transpose(T.ROTATE_180)], duration=100)
`;

const FILES = [
  'baseline.jpg',
  'progressive.jpg',
  'gray.jpg',
  'cmyk.jpg',
  ...Array.from({ length: 8 }, (_, k) => `orientation-${k + 1}.jpg`),
  'lossy.webp',
  'lossless.webp',
  'animated.webp',
] as const;

/** Mean absolute difference over the R, G and B of two RGBA pictures of the same size. */
function meanRgbDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) sum += Math.abs(a[i] - b[i]);
  return sum / ((a.length / 4) * 3);
}

/** Within JPEG's error at quality 90 (the figures seen: 1.6..1.8); a mirrored or turned picture was at 15..20. */
const JPEG_TOLERANCE = 3;

const opaque = (rgba: Uint8Array) => rgba.map((v, i) => (i % 4 === 3 ? 255 : v));

describe('decodeImage', () => {
  let upright: Uint8Array; // RGBA as encoded (alpha kept for the lossless WebP)
  let uprightOpaque: Uint8Array;
  const files: Record<string, Uint8Array> = {};
  let wasm: ImageDecoderWasm;
  const dir = mkdtempSync(join(tmpdir(), 'decode-image-'));

  beforeAll(async () => {
    const test = await loadFashionMnist('test', { download: false });
    upright = uprightRgba(test.images.slice(0, FASHION_MNIST_PIXELS));
    uprightOpaque = opaque(upright);
    writeFileSync(join(dir, 'upright.rgba'), upright);
    execFileSync('/usr/bin/python3', ['-c', PIL_SCRIPT, dir, String(WIDTH), String(HEIGHT)]);
    for (const name of FILES) files[name] = new Uint8Array(readFileSync(join(dir, name)));
    wasm = await nodeImageDecoderWasm();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the formats apart by their first bytes', () => {
    expect(sniffImageFormat(files['baseline.jpg'])).toBe('jpeg');
    expect(sniffImageFormat(files['lossy.webp'])).toBe('webp');
    expect(sniffImageFormat(encode({ width: 1, height: 1, data: new Uint8Array(4), channels: 4 }))).toBe('png');
    expect(sniffImageFormat(new TextEncoder().encode('GIF89a......'))).toBeUndefined();
    expect(IMAGE_MEDIA_TYPES).toEqual(['image/png', 'image/jpeg', 'image/webp']);
  });

  it('decodes a baseline and a progressive JPEG to the picture they were made from', async () => {
    expect(readJpegFrameHeader(files['baseline.jpg']).marker).toBe(0xc0);
    expect(readJpegFrameHeader(files['progressive.jpg']).marker).toBe(0xc2);
    for (const name of ['baseline.jpg', 'progressive.jpg']) {
      const image = await decodeImage(files[name], { wasm });
      expect(image).toMatchObject({ format: 'jpeg', orientation: 1, width: WIDTH, height: HEIGHT });
      expect(meanRgbDiff(image.data, uprightOpaque)).toBeLessThan(JPEG_TOLERANCE);
      expect(image.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('stands a JPEG with EXIF orientation %i upright', async (k) => {
    const bytes = files[`orientation-${k}.jpg`];
    expect(readJpegFrameHeader(bytes).marker).toBe(k % 2 === 0 ? 0xc2 : 0xc0);
    const image = await decodeImage(bytes, { wasm });
    expect(image).toMatchObject({ format: 'jpeg', orientation: k, width: WIDTH, height: HEIGHT });
    expect(meanRgbDiff(image.data, uprightOpaque)).toBeLessThan(JPEG_TOLERANCE);
  });

  it('the orientation tests can fail: each turned JPEG read with a wrong orientation is far from upright', async () => {
    // as stored (1), or turned half round from what it needs (for the quarter turns and diagonal mirrors)
    const wrong: Record<number, number> = { 2: 1, 3: 1, 4: 1, 5: 7, 6: 8, 7: 5, 8: 6 };
    for (const [k, tag] of Object.entries(wrong)) {
      const bytes = files[`orientation-${k}.jpg`].slice();
      const { at, bigEndian } = findOrientationValue(bytes);
      new DataView(bytes.buffer).setUint16(at, tag, !bigEndian);
      const image = await decodeImage(bytes, { wasm });
      expect(image).toMatchObject({ orientation: tag, width: WIDTH, height: HEIGHT });
      expect(meanRgbDiff(image.data, uprightOpaque), `orientation ${k} read as ${tag}`).toBeGreaterThan(3 * JPEG_TOLERANCE);
    }
  });

  it('decodes a gray JPEG to equal R, G and B', async () => {
    const image = await decodeImage(files['gray.jpg'], { wasm });
    expect(image).toMatchObject({ format: 'jpeg', width: WIDTH, height: HEIGHT });
    for (let i = 0; i < image.data.length; i += 4) {
      expect(image.data[i + 1]).toBe(image.data[i]);
      expect(image.data[i + 2]).toBe(image.data[i]);
    }
  });

  it('decodes a lossy WebP to the picture it was made from and a lossless one exactly, alpha kept', async () => {
    const lossy = await decodeImage(files['lossy.webp'], { wasm });
    expect(lossy).toMatchObject({ format: 'webp', orientation: 1, width: WIDTH, height: HEIGHT });
    expect(meanRgbDiff(lossy.data, uprightOpaque)).toBeLessThan(JPEG_TOLERANCE);
    const lossless = await decodeImage(files['lossless.webp'], { wasm });
    expect(lossless).toMatchObject({ format: 'webp', width: WIDTH, height: HEIGHT });
    expect(lossless.data).toEqual(upright);
  });

  it('decodes a PNG as decodePng does', async () => {
    const png = encode({ width: WIDTH, height: HEIGHT, data: upright, channels: 4 });
    const image = await decodeImage(png);
    expect(image).toMatchObject({ format: 'png', orientation: 1, width: WIDTH, height: HEIGHT });
    expect(image.data).toEqual(decodePng(png).data);
    expect(image.data).toEqual(upright);
  });

  describe('refuses a picture over the pixel limit, from its header, before decoding', () => {
    const fits = WIDTH * HEIGHT;

    it.each(['baseline.jpg', 'progressive.jpg', 'lossy.webp', 'lossless.webp', 'png'])('%s: maxPixels', async (name) => {
      const bytes = name === 'png' ? encode({ width: WIDTH, height: HEIGHT, data: upright, channels: 4 }) : files[name];
      await expect(decodeImage(bytes, { wasm, maxPixels: fits })).resolves.toMatchObject({ width: WIDTH });
      await expect(decodeImage(bytes, { wasm, maxPixels: fits - 1 })).rejects.toThrow(ImageTooLargeError);
    });

    // Each header declares a huge picture and the file stops right after it: a decoder would fail (truncated)
    // rather than report the size, so ImageTooLargeError shows the refusal came from the header.
    it('a JPEG whose frame header declares 60000x60000', async () => {
      const bytes = files['baseline.jpg'];
      const huge = bytes.slice(0, readJpegFrameHeader(bytes).end);
      new DataView(huge.buffer).setUint16(frameHeaderAt(huge) + 3, 60000); // height
      new DataView(huge.buffer).setUint16(frameHeaderAt(huge) + 5, 60000); // width
      expect(readJpegFrameHeader(huge)).toMatchObject({ width: 60000, height: 60000 });
      await expect(decodeImage(huge, { wasm })).rejects.toThrow(/JPEG is 60000x60000; at most 16777216 pixels/);
      await expect(decodeImage(huge, { wasm })).rejects.toThrow(ImageTooLargeError);
    });

    it('a lossy, a lossless and an extended WebP whose headers declare 16383x16383', async () => {
      const lossy = files['lossy.webp'].slice(0, 30);
      new DataView(lossy.buffer).setUint16(26, 16383, true);
      new DataView(lossy.buffer).setUint16(28, 16383, true);
      const lossless = files['lossless.webp'].slice(0, 30);
      new DataView(lossless.buffer).setUint32(21, (16382 | (16382 << 14)) >>> 0, true);
      const extended = Uint8Array.from([...new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8X'), 10, 0, 0, 0, 0x10, 0, 0, 0]);
      const withSize = new Uint8Array(30);
      withSize.set(extended);
      withSize.set([0xfe, 0x3f, 0, 0xfe, 0x3f, 0], 24); // 16383 - 1 in 24 bits, twice
      for (const bytes of [lossy, lossless, withSize]) {
        await expect(decodeImage(bytes, { wasm })).rejects.toThrow(/WebP is 16383x16383; at most 16777216 pixels/);
      }
    });

    it('a PNG whose header declares 4096x4097', async () => {
      const png = encode({ width: 1, height: 1, data: new Uint8Array(4), channels: 4 });
      const huge = png.slice();
      new DataView(huge.buffer).setUint32(16, 4096);
      new DataView(huge.buffer).setUint32(20, 4097);
      await expect(decodeImage(huge)).rejects.toThrow(ImageTooLargeError);
    });
  });

  describe('refuses what it cannot decode with ImageDecodeError and the reason', () => {
    it('a truncated JPEG, WebP or PNG', async () => {
      const png = encode({ width: WIDTH, height: HEIGHT, data: upright, channels: 4 });
      for (const name of ['baseline.jpg', 'progressive.jpg', 'lossy.webp', 'lossless.webp', 'png']) {
        const bytes = name === 'png' ? png : files[name];
        const half = bytes.slice(0, Math.floor(bytes.length / 2));
        await expect(decodeImage(half, { wasm }), name).rejects.toThrow(ImageDecodeError);
      }
      await expect(decodeImage(files['progressive.jpg'].slice(0, -2), { wasm })).rejects.toThrow(/truncated JPEG/);
      await expect(decodeImage(files['baseline.jpg'].slice(0, 40), { wasm })).rejects.toThrow(/truncated JPEG/);
      await expect(decodeImage(files['lossy.webp'].slice(0, 20), { wasm })).rejects.toThrow(/truncated WebP/);
    });

    it('garbage, and garbage behind a JPEG or WebP signature', async () => {
      let seed = 7;
      const garbage = Uint8Array.from({ length: 4000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      await expect(decodeImage(garbage, { wasm })).rejects.toThrow(
        'not a picture this decodes: accepted are image/png, image/jpeg, image/webp',
      );
      await expect(decodeImage(new Uint8Array(0), { wasm })).rejects.toThrow(ImageDecodeError);
      const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, ...garbage]);
      await expect(decodeImage(jpeg, { wasm })).rejects.toThrow(ImageDecodeError);
      const webp = files['lossy.webp'].slice();
      webp.set(garbage.subarray(0, webp.length - 30), 30); // a valid header, then noise
      await expect(decodeImage(webp, { wasm })).rejects.toThrow(/undecodable WebP/);
    });

    it("a JPEG libjpeg fails on, with libjpeg's reason; the next JPEG decodes", async () => {
      const bytes = files['baseline.jpg'].slice();
      const dht = findMarker(bytes, 0xc4);
      bytes.fill(0xff, dht + 5, dht + 21); // the first Huffman table's code counts: more codes than 16 bits allow
      await expect(decodeImage(bytes, { wasm })).rejects.toThrow(/^undecodable JPEG: Bogus Huffman table definition$/);
      await expect(decodeImage(files['baseline.jpg'], { wasm })).resolves.toMatchObject({ width: WIDTH });
    });

    it('a CMYK JPEG', async () => {
      expect(readJpegFrameHeader(files['cmyk.jpg']).components).toBe(4);
      await expect(decodeImage(files['cmyk.jpg'], { wasm })).rejects.toThrow('unsupported JPEG: CMYK or YCCK colour');
    });

    it('a 12-bit JPEG, a lossless JPEG and an animated WebP', async () => {
      const twelveBit = files['baseline.jpg'].slice();
      twelveBit[frameHeaderAt(twelveBit) + 2] = 12; // the precision byte
      expect(readJpegFrameHeader(twelveBit).precision).toBe(12);
      await expect(decodeImage(twelveBit, { wasm })).rejects.toThrow('unsupported JPEG: 12-bit samples');
      const lossless = files['baseline.jpg'].slice();
      lossless[frameHeaderAt(lossless) - 1] = 0xc3; // SOF0 -> SOF3
      await expect(decodeImage(lossless, { wasm })).rejects.toThrow('unsupported JPEG: lossless coding');
      await expect(decodeImage(files['animated.webp'], { wasm })).rejects.toThrow('unsupported WebP: an animation');
    });
  });

  it("needs the decoder's module for a JPEG or a WebP (a caller's mistake, not a bad picture)", async () => {
    await expect(decodeImage(files['baseline.jpg'])).rejects.toThrow(TypeError);
    await expect(decodeImage(files['lossy.webp'], { wasm: { jpeg: wasm.jpeg } })).rejects.toThrow(
      'decodeImage: a WEBP needs options.wasm.webp',
    );
  });

  it('hands back pictures of their own: a later decode does not overwrite an earlier one', async () => {
    for (const [first, second] of [
      ['baseline.jpg', 'gray.jpg'],
      ['lossless.webp', 'lossy.webp'],
    ]) {
      const image = await decodeImage(files[first], { wasm });
      const copy = image.data.slice();
      await decodeImage(files[second], { wasm });
      expect(image.data).toEqual(copy);
    }
  });
});

/** Where a JPEG's first segment with `marker` starts (its FF byte). */
function findMarker(bytes: Uint8Array, marker: number): number {
  for (let at = 2; at + 4 <= bytes.length; at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3])) {
    if (bytes[at + 1] === marker) return at;
  }
  throw new Error(`no marker ${marker.toString(16)}`);
}

/** Where a JPEG's frame header segment starts (its length field, right after the SOFn marker). */
function frameHeaderAt(bytes: Uint8Array): number {
  const { end, components } = readJpegFrameHeader(bytes);
  return end - 8 - 3 * components; // length (2), precision (1), height (2), width (2), count (1), 3 bytes a component
}

/**
 * Where a JPEG's EXIF orientation value (a 16-bit SHORT in IFD0's entry for tag 0x0112) lies, in a file PIL wrote
 * with only that tag: the entry follows the TIFF header ("II*\0" or "MM\0*") and the IFD's entry count.
 */
function findOrientationValue(bytes: Uint8Array): { at: number; bigEndian: boolean } {
  for (let i = 0; i + 20 < bytes.length; i++) {
    const little = bytes[i] === 0x49 && bytes[i + 1] === 0x49 && bytes[i + 2] === 0x2a && bytes[i + 3] === 0;
    const big = bytes[i] === 0x4d && bytes[i + 1] === 0x4d && bytes[i + 2] === 0 && bytes[i + 3] === 0x2a;
    // header (8), entry count (2), then the entry's tag (2), type (2) and count (4): the value
    if (little || big) return { at: i + 8 + 2 + 8, bigEndian: big };
  }
  throw new Error('no TIFF header');
}
