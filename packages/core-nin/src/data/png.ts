import { convertIndexedToRgb, decode } from 'fast-png';
import { Unzlib } from 'fflate';
import { ImageDecodeError, ImageTooLargeError } from './image-errors.ts';
import { rgbaToGray, type RgbaImage } from './image.ts';
import { FASHION_MNIST_SIDE, resizeGray } from './preprocess.ts';

export { ImageDecodeError, ImageTooLargeError } from './image-errors.ts';

const MAX_PNG_SIDE = 4096;

export interface PngDecodeOptions {
  /** most pixels (width x height) to decode; default 4096 x 4096. Sides are at most 4096 in any case. */
  readonly maxPixels?: number;
}

/**
 * Decodes a PNG of any size, bit depth and colour type (gray, gray+alpha, RGB, RGBA, palette) to 8-bit RGBA.
 * Pure JS (fast-png), so it runs inside workerd too. Refuses, before inflating it, an image over `maxPixels` or
 * whose data inflates beyond its declared size.
 */
export function decodePng(bytes: Uint8Array, options: PngDecodeOptions = {}): RgbaImage {
  let png: ReturnType<typeof decode>;
  let samples: { data: ArrayLike<number>; channels: number; max: number };
  checkImageDataSize(bytes, options.maxPixels ?? MAX_PNG_SIDE * MAX_PNG_SIDE);
  try {
    png = decode(bytes);
    if (png.width < 1 || png.height < 1 || png.width > MAX_PNG_SIDE || png.height > MAX_PNG_SIDE) {
      throw new ImageDecodeError(`PNG is ${png.width}x${png.height}; sides must be 1..${MAX_PNG_SIDE}`);
    }
    // Palette indices and gray samples below 8 bits arrive packed (rows padded to whole bytes): unpack them.
    samples = png.palette
      ? { data: convertIndexedToRgb(png), channels: png.palette[0]?.length ?? 3, max: 255 }
      : {
          data: png.depth < 8 ? unpackSamples(png.data, png.width, png.height, png.depth) : png.data,
          channels: png.channels,
          max: 2 ** png.depth - 1,
        };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`undecodable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  const { data, channels, max } = samples;
  const to8 = max === 255 ? (v: number) => v : (v: number) => Math.round((v * 255) / max);
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0, i = 0, o = 0; p < width * height; p++, i += channels, o += 4) {
    const gray = channels <= 2;
    rgba[o] = to8(data[i]);
    rgba[o + 1] = gray ? rgba[o] : to8(data[i + 1]);
    rgba[o + 2] = gray ? rgba[o] : to8(data[i + 2]);
    rgba[o + 3] = channels === 2 || channels === 4 ? to8(data[i + channels - 1]) : 255;
  }
  return { width, height, data: rgba };
}

/**
 * A PNG as the 28x28 8-bit gray image the model was trained on: luma (PIL's `convert('L')`), alpha composited on
 * black (the Fashion-MNIST background), PIL's bilinear resize (what a Python user feeds the model).
 */
export function decodePngToGray28(bytes: Uint8Array, options: PngDecodeOptions = {}): Uint8Array {
  const image = decodePng(bytes, options);
  return resizeGray(rgbaToGray(image), image.width, image.height, FASHION_MNIST_SIDE, FASHION_MNIST_SIDE);
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** samples per pixel by PNG colour type */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x offset, y offset, x step, y step */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
/**
 * Compressed bytes inflated per step: deflate expands at most ~1032:1, so one step yields at most ~4 MB, held
 * only until the next. Smaller steps cost time on the request path (fflate copies its 32 KiB window on every
 * push), larger ones memory: decoding a 1024x1024 RGB PNG of noise took 72 ms with 1 KiB steps, 56 ms with
 * 4 KiB, 25 ms without the check (which inflates the data once more, by design); with 16 KiB steps the 64 MiB
 * bomb in png.test.ts raised the RSS by 50 MB.
 */
const INFLATE_STEP = 4 * 1024;

/**
 * Refuses, before the decoder allocates anything, a PNG whose header declares more than `maxPixels` (or a side
 * over 4096), and one whose image data inflates to more than that header implies: a PNG bomb (a few hundred KB
 * of deflate that expand to gigabytes under a small declared size) would otherwise cost the memory. The IDAT
 * stream is inflated in steps and counted, never held. Malformed files are left to the decoder to name.
 */
function checkImageDataSize(bytes: Uint8Array, maxPixels: number): void {
  if (bytes.byteLength < 33 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (at: number) => String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
  if (chunkType(8) !== 'IHDR') return;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [depth, colorType, , , interlace] = bytes.subarray(24, 29);
  if (width < 1 || height < 1) throw new ImageDecodeError(`undecodable PNG: its header declares ${width}x${height} pixels`);
  if (width > MAX_PNG_SIDE || height > MAX_PNG_SIDE || width * height > maxPixels) {
    throw new ImageTooLargeError(`PNG is ${width}x${height}; at most ${maxPixels} pixels with sides of 1..${MAX_PNG_SIDE} are decoded`);
  }
  const channels = CHANNELS[colorType];
  if (channels === undefined) return;
  const rowBytes = (w: number) => 1 + Math.ceil((w * channels * depth) / 8); // a filter byte, then the samples
  const expected =
    interlace === 1
      ? ADAM7.reduce((sum, [x0, y0, dx, dy]) => {
          const w = Math.ceil((width - x0) / dx);
          const h = Math.ceil((height - y0) / dy);
          return w > 0 && h > 0 ? sum + h * rowBytes(w) : sum;
        }, 0)
      : height * rowBytes(width);
  // 16-bit samples take twice the memory per pixel, and the decoder holds the inflated data, its unfiltered copy and
  // our RGBA at once: hold the data to what `maxPixels` 8-bit RGBA pixels would be (a 2048 x 2048 16-bit RGBA PNG
  // would need some 80 MiB while decoding, in a Worker of 128 MB).
  const maxBytes = maxPixels * 4 + height;
  if (expected > maxBytes) {
    throw new ImageTooLargeError(
      `PNG is ${width}x${height} at ${depth} bits a sample: its ${expected} bytes of image data are over the ${maxBytes} of ${maxPixels} 8-bit RGBA pixels`,
    );
  }
  let inflated = 0;
  const inflater = new Unzlib((chunk) => {
    inflated += chunk.length;
    if (inflated > expected) throw new ImageTooLargeError(`PNG image data inflates beyond the ${expected} bytes its ${width}x${height} header implies`);
  });
  let at = 8;
  try {
    while (at + 12 <= bytes.byteLength) {
      const length = view.getUint32(at);
      const type = chunkType(at);
      const data = bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.byteLength));
      if (type === 'IDAT') for (let i = 0; i < data.length; i += INFLATE_STEP) inflater.push(data.subarray(i, i + INFLATE_STEP));
      if (type === 'IEND') break;
      at += 12 + length;
    }
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw e;
    // A corrupt stream: the decoder reports it in its own words.
  }
}

/** One gray sample per element from rows of 1-, 2- or 4-bit samples, most significant bits first. */
function unpackSamples(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const bytesPerRow = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (packed[y * bytesPerRow + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  return out;
}
