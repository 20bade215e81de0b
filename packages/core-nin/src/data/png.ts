import { convertIndexedToRgb, decode } from 'fast-png';
import { FASHION_MNIST_SIDE, resizeGray } from './preprocess.ts';

/** A PNG that cannot be decoded or used. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

const MAX_PNG_SIDE = 4096;

/**
 * Decodes a PNG of any size, bit depth and colour type (gray, gray+alpha, RGB, RGBA, palette) to the 28x28 8-bit
 * gray image the model was trained on. Colour becomes luma with PIL's `convert('L')` integer formula (ITU-R
 * 601-2); alpha is composited on black, the Fashion-MNIST background. Pure JS (fast-png), so it runs inside
 * workerd too.
 */
export function decodePngToGray28(bytes: Uint8Array): Uint8Array {
  let png: ReturnType<typeof decode>;
  let rgba: { data: ArrayLike<number>; channels: number; max: number };
  checkDeclaredSize(bytes);
  try {
    png = decode(bytes);
    if (png.width < 1 || png.height < 1 || png.width > MAX_PNG_SIDE || png.height > MAX_PNG_SIDE) {
      throw new ImageDecodeError(`PNG is ${png.width}x${png.height}; sides must be 1..${MAX_PNG_SIDE}`);
    }
    // Palette indices and gray samples below 8 bits arrive packed (rows padded to whole bytes): unpack them.
    rgba = png.palette
      ? { data: convertIndexedToRgb(png), channels: png.palette[0]?.length ?? 3, max: 255 }
      : { data: png.depth < 8 ? unpackSamples(png.data, png.width, png.height, png.depth) : png.data, channels: png.channels, max: 2 ** png.depth - 1 };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`undecodable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  const { data, channels, max } = rgba;
  const to8 = max === 255 ? (v: number) => v : (v: number) => Math.round((v * 255) / max);
  const gray = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const i = p * channels;
    let luma: number;
    if (channels <= 2) luma = to8(data[i]);
    else luma = (to8(data[i]) * 19595 + to8(data[i + 1]) * 38470 + to8(data[i + 2]) * 7471 + 0x8000) >>> 16;
    const alpha = channels === 2 || channels === 4 ? to8(data[i + channels - 1]) : 255;
    gray[p] = alpha === 255 ? luma : Math.round((luma * alpha) / 255);
  }
  return resizeGray(gray, width, height, FASHION_MNIST_SIDE, FASHION_MNIST_SIDE);
}

/** Refuses a huge image from its IHDR, before inflating megabytes (a PNG bomb would otherwise cost the memory). */
function checkDeclaredSize(bytes: Uint8Array): void {
  // signature (8) + IHDR length and type (8), then width and height, big-endian
  if (bytes.byteLength < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return; // decode() will say what is wrong
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const width = view.getUint32(16, false);
  const height = view.getUint32(20, false);
  if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) {
    throw new ImageDecodeError(`PNG is ${width}x${height}; sides must be 1..${MAX_PNG_SIDE}`);
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
