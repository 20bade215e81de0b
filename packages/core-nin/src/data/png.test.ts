import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { ImageDecodeError, decodePngToGray28 } from './png.ts';
import { FASHION_MNIST_PIXELS } from './preprocess.ts';

/** PIL's `Image.open(f).convert('L').resize((28, 28), BILINEAR)`, what a Python user would feed the model. */
function pilGray28(png: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'pilpng-'));
  try {
    writeFileSync(join(dir, 'x.png'), png);
    const script = "import sys; from PIL import Image; sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('L').resize((28, 28), Image.BILINEAR).tobytes())";
    return new Uint8Array(execFileSync('/usr/bin/python3', ['-c', script, join(dir, 'x.png')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('decodePngToGray28', () => {
  let image: Uint8Array; // a real 28x28 test image (index 0, an ankle boot)
  beforeAll(async () => {
    const test = await loadFashionMnist('test', { download: false });
    image = test.images.slice(0, FASHION_MNIST_PIXELS);
  });

  it('returns a 28x28 8-bit gray PNG unchanged', () => {
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: image, channels: 1, depth: 8 }))).toEqual(image);
  });

  it('reads RGB, RGBA, gray+alpha and 16-bit gray of the same picture as the same gray image', () => {
    const rgb = Uint8Array.from({ length: 784 * 3 }, (_, i) => image[Math.floor(i / 3)]);
    const rgba = Uint8Array.from({ length: 784 * 4 }, (_, i) => (i % 4 === 3 ? 255 : image[Math.floor(i / 4)]));
    const grayAlpha = Uint8Array.from({ length: 784 * 2 }, (_, i) => (i % 2 === 1 ? 255 : image[Math.floor(i / 2)]));
    const gray16 = Uint16Array.from(image, (v) => v * 257);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: rgb, channels: 3, depth: 8 }))).toEqual(image);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: rgba, channels: 4, depth: 8 }))).toEqual(image);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: grayAlpha, channels: 2, depth: 8 }))).toEqual(image);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: gray16, channels: 1, depth: 16 }))).toEqual(image);
  });

  it('composites transparency on black, the Fashion-MNIST background', () => {
    const rgba = Uint8Array.from({ length: 784 * 4 }, (_, i) => (i % 4 === 3 ? (Math.floor(i / 4) < 392 ? 0 : 255) : 200));
    const gray = decodePngToGray28(encode({ width: 28, height: 28, data: rgba, channels: 4, depth: 8 }));
    expect(gray.subarray(0, 392).every((v) => v === 0)).toBe(true);
    expect(gray.subarray(392).every((v) => v === 200)).toBe(true);
  });

  it('reads 8-bit and packed 4-bit palettes', () => {
    // 16 gray levels: index k is gray 17k. The 4-bit image packs two indices per byte, rows padded to whole bytes.
    const palette = Array.from({ length: 16 }, (_, k) => [17 * k, 17 * k, 17 * k]);
    const indices = Uint8Array.from(image, (v) => Math.round(v / 17));
    const expected = Uint8Array.from(indices, (k) => 17 * k);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: indices, channels: 1, depth: 8, palette }))).toEqual(expected);
    const packed = new Uint8Array(28 * 14);
    indices.forEach((k, p) => (packed[p >> 1] |= p % 2 === 0 ? k << 4 : k));
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: packed, channels: 1, depth: 4, palette }))).toEqual(expected);
  });

  it('reads packed 1-bit gray with odd widths (rows padded to bytes)', () => {
    const w = 13;
    const h = 28;
    const bits = Array.from({ length: w * h }, (_, p) => ((p % w) + Math.floor(p / w)) % 3 === 0);
    const bytesPerRow = Math.ceil(w / 8);
    const packed = new Uint8Array(bytesPerRow * h);
    bits.forEach((on, p) => {
      const x = p % w;
      const y = Math.floor(p / w);
      if (on) packed[y * bytesPerRow + (x >> 3)] |= 0x80 >> (x & 7);
    });
    const png = encode({ width: w, height: h, data: packed, channels: 1, depth: 1 });
    expect(maxDiff(decodePngToGray28(png), pilGray28(png))).toBe(0);
  });

  it.each([
    ['RGB 100x70', 100, 70, 3],
    ['gray 56x56', 56, 56, 1],
    ['RGB 20x33', 20, 33, 3],
  ])('matches PIL convert("L").resize((28,28)) for %s', (_, w, h, channels) => {
    const data = Uint8Array.from({ length: w * h * channels }, (_, i) => (Math.imul(i, 2654435761) >>> 24) ^ (i % 97));
    const png = encode({ width: w, height: h, data, channels, depth: 8 });
    const ours = decodePngToGray28(png);
    expect(ours).toHaveLength(784);
    expect(maxDiff(ours, pilGray28(png))).toBe(0);
  });

  it('gives an ImageDecodeError for bytes that are not a usable PNG', () => {
    const good = encode({ width: 28, height: 28, data: image, channels: 1, depth: 8 });
    const bad: [string, Uint8Array][] = [
      ['not a PNG', new TextEncoder().encode('GIF89a this is not a png')],
      ['empty', new Uint8Array()],
      ['truncated', good.subarray(0, 40)],
    ];
    for (const [what, bytes] of bad) {
      expect(() => decodePngToGray28(bytes), what).toThrow(ImageDecodeError);
      expect(() => decodePngToGray28(bytes), what).toThrow(/^undecodable PNG: /);
    }
  });

  it('refuses absurd sizes before decoding them', () => {
    const png = encode({ width: 28, height: 28, data: image, channels: 1, depth: 8 });
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100_000, false); // IHDR width
    expect(() => decodePngToGray28(huge)).toThrow('PNG is 100000x28; sides must be 1..4096');
  });
});
