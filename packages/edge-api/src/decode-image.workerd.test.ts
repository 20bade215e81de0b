// decodeImage inside workerd (the Workers runtime, no Node): the JPEG and WebP decoders run on the
// WebAssembly.Modules the runtime compiled from the `.wasm` imports, as a Worker entry hands them in. The pictures
// are made here by the same packages' encoders (mozjpeg, libwebp) and fast-png; core-nin's decode-image.test.ts
// checks the decoders against PIL's files of real Fashion-MNIST images.
import decodeJpegWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import encodeJpegWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import encodeJpeg, { init as initJpegEncoder } from '@jsquash/jpeg/encode.js';
import decodeWebpWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import encodeWebpSimdWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode.js';
import { decodeImage, type ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import { ImageDecodeError, ImageTooLargeError } from '@nin-bench/core-nin/data';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';

const wasm: ImageDecoderWasm = { jpeg: decodeJpegWasm, webp: decodeWebpWasm };

// An upright 40x30 picture a turn or a mirror would change: a horizontal ramp, a dark block in the top-left
// corner, alpha fading downwards.
const [WIDTH, HEIGHT] = [40, 30];
const upright = new Uint8Array(WIDTH * HEIGHT * 4);
for (let y = 0; y < HEIGHT; y++)
  for (let x = 0; x < WIDTH; x++) {
    const o = (y * WIDTH + x) * 4;
    const block = x < 12 && y < 8;
    upright.set([block ? 20 : 60 + 4 * x, block ? 30 : 120, block ? 90 : 200 - 3 * y, 255 - 4 * y], o);
  }
const opaque = upright.map((v, i) => (i % 4 === 3 ? 255 : v));

/** The picture as a camera that held it a quarter turn anticlockwise stores it: EXIF orientation 6 stands it up. */
function storedForOrientation6(rgba: Uint8Array): Uint8ClampedArray {
  const stored = new Uint8ClampedArray(rgba.length); // HEIGHT wide, WIDTH high
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      // upright (x, y) is stored at (y, WIDTH - 1 - x)
      const at = ((WIDTH - 1 - x) * HEIGHT + y) * 4;
      stored.set(rgba.subarray((y * WIDTH + x) * 4, (y * WIDTH + x) * 4 + 4), at);
    }
  return stored;
}

/** An APP1 Exif segment holding one tag, orientation, big-endian (as many cameras write it). */
function exifOrientationSegment(orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [...new TextEncoder().encode('Exif\0\0'), ...tiff];
  return Uint8Array.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
}

const meanRgbDiff = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((sum, v, i) => (i % 4 === 3 ? sum : sum + Math.abs(v - b[i])), 0) / (WIDTH * HEIGHT * 3);

describe('decodeImage inside workerd', () => {
  let jpeg: Uint8Array;
  let webp: Uint8Array;

  beforeAll(async () => {
    await initJpegEncoder(encodeJpegWasm);
    await initWebpEncoder(encodeWebpSimdWasm);
    const stored = storedForOrientation6(upright);
    // mozjpeg's defaults: progressive
    const encoded = new Uint8Array(
      await encodeJpeg({ data: stored, width: HEIGHT, height: WIDTH } as ImageData, { quality: 95 }),
    );
    const exif = exifOrientationSegment(6);
    jpeg = new Uint8Array(encoded.length + exif.length);
    jpeg.set(encoded.subarray(0, 2)); // SOI
    jpeg.set(exif, 2);
    jpeg.set(encoded.subarray(2), 2 + exif.length);
    const rgba = new Uint8ClampedArray(upright);
    webp = new Uint8Array(
      await encodeWebp({ data: rgba, width: WIDTH, height: HEIGHT } as ImageData, { lossless: 1, exact: 1 }),
    );
  });

  it('decodes a progressive JPEG with EXIF orientation 6 upright (mozjpeg, exifr)', async () => {
    const image = await decodeImage(jpeg, { wasm });
    expect(image).toMatchObject({ format: 'jpeg', orientation: 6, width: WIDTH, height: HEIGHT });
    expect(meanRgbDiff(image.data, opaque)).toBeLessThan(3);
  });

  it('decodes a lossless WebP exactly, alpha kept (libwebp)', async () => {
    const image = await decodeImage(webp, { wasm });
    expect(image).toMatchObject({ format: 'webp', orientation: 1, width: WIDTH, height: HEIGHT });
    expect(image.data).toEqual(upright);
  });

  it('decodes a PNG (fast-png)', async () => {
    const image = await decodeImage(encodePng({ width: WIDTH, height: HEIGHT, data: upright, channels: 4 }), { wasm });
    expect(image).toMatchObject({ format: 'png', width: WIDTH, height: HEIGHT });
    expect(image.data).toEqual(upright);
  });

  it('refuses a picture over the pixel limit and a truncated one', async () => {
    for (const bytes of [jpeg, webp]) {
      await expect(decodeImage(bytes, { wasm, maxPixels: WIDTH * HEIGHT - 1 })).rejects.toThrow(ImageTooLargeError);
      await expect(decodeImage(bytes.slice(0, bytes.length >> 1), { wasm })).rejects.toThrow(ImageDecodeError);
    }
  });
});
