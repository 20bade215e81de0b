import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../node/fashion-mnist.ts';
import { FASHION_MNIST_PIXELS, preprocessImages, resizeGray } from './preprocess.ts';

/**
 * The reference is PIL itself (Debian's python3-pil under /usr/bin/python3): torchvision's Resize on a PIL image
 * is `Image.resize((s, s), Image.BILINEAR)`, which is what the model was defined against.
 */
function pilResize(images: { bytes: Uint8Array; w: number; h: number }[], outW: number, outH: number): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'pil-'));
  try {
    const script = `
import sys
from PIL import Image
spec = open(sys.argv[1]).read().split()
data = open(sys.argv[2], 'rb').read()
out = open(sys.argv[3], 'wb')
at = 0
for i in range(0, len(spec), 2):
    w, h = int(spec[i]), int(spec[i + 1])
    img = Image.frombytes('L', (w, h), data[at:at + w * h])
    at += w * h
    out.write(img.resize((${outW}, ${outH}), Image.BILINEAR).tobytes())
`;
    writeFileSync(join(dir, 'spec'), images.map((i) => `${i.w} ${i.h}`).join(' '));
    writeFileSync(join(dir, 'in'), Buffer.concat(images.map((i) => i.bytes)));
    execFileSync('/usr/bin/python3', ['-c', script, join(dir, 'spec'), join(dir, 'in'), join(dir, 'out')]);
    const out = readFileSync(join(dir, 'out'));
    return images.map((_, i) => new Uint8Array(out.subarray(i * outW * outH, (i + 1) * outW * outH)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(ours: Uint8Array[], pil: Uint8Array[]): { maxDiff: number; differing: number; pixels: number } {
  let maxDiff = 0;
  let differing = 0;
  let pixels = 0;
  ours.forEach((o, i) => {
    for (let p = 0; p < o.length; p++) {
      const d = Math.abs(o[p] - pil[i][p]);
      maxDiff = Math.max(maxDiff, d);
      if (d > 0) differing++;
    }
    pixels += o.length;
  });
  return { maxDiff, differing, pixels };
}

describe('resizeGray matches PIL bilinear', () => {
  let samples: { bytes: Uint8Array; w: number; h: number }[];
  beforeAll(async () => {
    const test = await loadFashionMnist('test', { download: false });
    samples = [0, 1, 2, 17, 4242, 9999].map((i) => ({ bytes: test.images.slice(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS), w: 28, h: 28 }));
  });

  it.each([224, 96, 67])('28 -> %i on real test images: PIL bit for bit', (size) => {
    const pil = pilResize(samples, size, size);
    const ours = samples.map((s) => resizeGray(s.bytes, 28, 28, size, size));
    const { maxDiff, differing, pixels } = compare(ours, pil);
    console.log(`resize 28->${size}: ${differing} of ${pixels} pixels differ from PIL, max |diff| ${maxDiff}`);
    // The brief allows 1/255; we do PIL's own fixed-point arithmetic, so we hold ourselves to exact.
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(differing).toBe(0);
  });

  it.each([
    [97, 61],
    [28, 300],
    [640, 480],
    [20, 20],
  ])('resizes a %ix%i image to 28x28 (antialiased when downscaling, one axis only, upscaling) as PIL does', (w, h) => {
    const img = Uint8Array.from({ length: w * h }, (_, p) => ((p % w) * 3 + Math.floor(p / w) * 5 + (Math.imul(p, 2654435761) >>> 28)) % 256);
    const pil = pilResize([{ bytes: img, w, h }], 28, 28);
    expect(compare([resizeGray(img, w, h, 28, 28)], pil)).toMatchObject({ differing: 0 });
  });

  it('preprocessImages scales to [0,1] in NHWC order and rejects partial images', () => {
    const input = preprocessImages(Buffer.concat(samples.slice(0, 2).map((s) => s.bytes)), 96);
    expect(input.length).toBe(2 * 96 * 96);
    const second = resizeGray(samples[1].bytes, 28, 28, 96, 96);
    expect(input[96 * 96 + 5000]).toBeCloseTo(second[5000] / 255, 7);
    expect(Math.max(...input)).toBeLessThanOrEqual(1);
    expect(() => preprocessImages(new Uint8Array(785), 96)).toThrow('expected a whole number of 28x28 images, got 785 bytes');
    expect(() => resizeGray(new Uint8Array(10), 4, 4, 8, 8)).toThrow('image has 10 pixels, expected 4x4');
  });
});
