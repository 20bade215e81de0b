import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { zlibSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { ImageDecodeError, ImageTooLargeError, decodePngToGray28 } from './png.ts';
import { FASHION_MNIST_PIXELS } from './preprocess.ts';

/** PIL's `Image.open(f).convert('L').resize((28, 28), BILINEAR)`, what a Python user would feed the model. */
function pilGray28(png: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'pilpng-'));
  try {
    writeFileSync(join(dir, 'x.png'), png);
    const script =
      'import sys; from PIL import Image; ' +
      "sys.stdout.buffer.write(Image.open(sys.argv[1]).convert('L').resize((28, 28), Image.BILINEAR).tobytes())";
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
    const rgba = Uint8Array.from({ length: 784 * 4 }, (_, i) =>
      i % 4 === 3 ? (Math.floor(i / 4) < 392 ? 0 : 255) : 200,
    );
    const gray = decodePngToGray28(encode({ width: 28, height: 28, data: rgba, channels: 4, depth: 8 }));
    expect(gray.subarray(0, 392).every((v) => v === 0)).toBe(true);
    expect(gray.subarray(392).every((v) => v === 200)).toBe(true);
  });

  it('reads 8-bit and packed 4-bit palettes', () => {
    // 16 gray levels: index k is gray 17k. The 4-bit image packs two indices per byte, rows padded to whole bytes.
    const palette = Array.from({ length: 16 }, (_, k) => [17 * k, 17 * k, 17 * k]);
    const indices = Uint8Array.from(image, (v) => Math.round(v / 17));
    const expected = Uint8Array.from(indices, (k) => 17 * k);
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: indices, channels: 1, depth: 8, palette }))).toEqual(
      expected,
    );
    const packed = new Uint8Array(28 * 14);
    indices.forEach((k, p) => (packed[p >> 1] |= p % 2 === 0 ? k << 4 : k));
    expect(decodePngToGray28(encode({ width: 28, height: 28, data: packed, channels: 1, depth: 4, palette }))).toEqual(
      expected,
    );
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
    expect(() => decodePngToGray28(huge)).toThrow(ImageTooLargeError);
    expect(() => decodePngToGray28(huge)).toThrow(
      'PNG is 100000x28; at most 16777216 pixels with sides of 1..4096 are decoded',
    );
    const big = encode({ width: 100, height: 60, data: new Uint8Array(6000), channels: 1, depth: 8 });
    expect(() => decodePngToGray28(big, { maxPixels: 5999 })).toThrow('PNG is 100x60; at most 5999 pixels');
    expect(decodePngToGray28(big, { maxPixels: 6000 })).toHaveLength(784);
  });

  it('refuses a PNG bomb (a small file whose image data inflates far beyond its declared size) without inflating it all', () => {
    // 1x1 gray declares 2 bytes of image data (filter byte + sample); this IDAT inflates to 64 MiB (~65 KB compressed).
    const bomb = pngFile(1, 1, 0, 0, zlibSync(new Uint8Array(64 * 2 ** 20), { level: 9 }));
    expect(bomb.length).toBeLessThan(200_000);
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    expect(() => decodePngToGray28(bomb)).toThrow(ImageTooLargeError);
    expect(() => decodePngToGray28(bomb)).toThrow('PNG image data inflates beyond the 2 bytes its 1x1 header implies');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 2 ** 20);
  });

  it('decodes an Adam7-interlaced PNG as its non-interlaced twin (the size check counts the passes)', () => {
    const w = 13;
    const h = 11;
    const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 37) % 256);
    const passes = [
      [0, 0, 8, 8],
      [4, 0, 8, 8],
      [0, 4, 4, 8],
      [2, 0, 4, 4],
      [0, 2, 2, 4],
      [1, 0, 2, 2],
      [0, 1, 1, 2],
    ];
    const raw: number[] = [];
    for (const [x0, y0, dx, dy] of passes)
      for (let y = y0; y < h; y += dy) {
        if (x0 >= w) continue;
        raw.push(0); // filter: none
        for (let x = x0; x < w; x += dx) raw.push(pixels[y * w + x]);
      }
    const interlaced = pngFile(w, h, 0, 1, zlibSync(Uint8Array.from(raw)));
    const plain = encode({ width: w, height: h, data: pixels, channels: 1, depth: 8 });
    expect(decodePngToGray28(interlaced)).toEqual(decodePngToGray28(plain));
    // One byte more image data than the passes hold is refused.
    expect(() => decodePngToGray28(pngFile(w, h, 0, 1, zlibSync(Uint8Array.from([...raw, 0]))))).toThrow(
      ImageTooLargeError,
    );
  });

  it('refuses, before inflating it, a 16-bit PNG whose data is over what maxPixels 8-bit RGBA pixels would take', () => {
    const side = 64;
    const png16 = encode({ width: side, height: side, data: new Uint16Array(side * side * 4), channels: 4, depth: 16 });
    // 4,096 pixels: 8-bit RGBA would take 16 KiB; 16-bit RGBA takes 32 KiB of image data
    expect(() => decodePngToGray28(png16, { maxPixels: side * side })).toThrow(ImageTooLargeError);
    expect(() => decodePngToGray28(png16, { maxPixels: side * side })).toThrow(/16 bits a sample/);
    expect(decodePngToGray28(png16, { maxPixels: 2 * side * side })).toHaveLength(FASHION_MNIST_PIXELS);
  });
});

/** A PNG file from its parts: 8-bit samples of colour type `colorType`, one IDAT chunk of zlib `data`. */
function pngFile(width: number, height: number, colorType: number, interlace: number, data: Uint8Array): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, interlace], 8);
  const parts = [
    Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', data),
    chunk('IEND', new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
