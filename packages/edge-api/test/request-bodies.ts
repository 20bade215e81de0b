// The request bodies the Node-side app tests and the tests inside workerd send: a synthetic 28x28 image, and that
// image in every accepted encoding (all lossless).
import { encode } from 'fast-png';

export const PIXELS = 784;

/** A deterministic 28x28 "garment": a bright blob on black, with some texture. */
export function syntheticImage(seed = 1): Uint8Array {
  const out = new Uint8Array(PIXELS);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const d = Math.hypot(x - 14, (y - 14) * 1.4);
      out[y * 28 + x] = d < 10 ? (120 + ((x * 7 + y * 13 * seed) % 120)) & 255 : 0;
    }
  return out;
}

export const pngGray8 = (img: Uint8Array) => encode({ width: 28, height: 28, data: img, channels: 1, depth: 8 });
/** 16-bit gray: v*257 maps back to exactly v. */
export const pngGray16 = (img: Uint8Array) =>
  encode({ width: 28, height: 28, data: Uint16Array.from(img, (v) => v * 257), channels: 1, depth: 16 });
/** RGB with r = g = b: luma is exactly the gray value. */
export const pngRgb = (img: Uint8Array) =>
  encode({
    width: 28,
    height: 28,
    data: Uint8Array.from({ length: PIXELS * 3 }, (_, i) => img[Math.floor(i / 3)]),
    channels: 3,
    depth: 8,
  });
/** RGBA, fully opaque. */
export const pngRgba = (img: Uint8Array) =>
  encode({
    width: 28,
    height: 28,
    data: Uint8Array.from({ length: PIXELS * 4 }, (_, i) => (i % 4 === 3 ? 255 : img[Math.floor(i / 4)])),
    channels: 4,
    depth: 8,
  });
/** A bigger colour picture (nearest-neighbour x4): decoded, converted to gray and resized back to 28x28. */
export const pngRgbLarge = (img: Uint8Array) =>
  encode({
    width: 112,
    height: 112,
    data: Uint8Array.from({ length: 112 * 112 * 3 }, (_, i) => {
      const p = Math.floor(i / 3);
      return img[Math.floor(p / 112 / 4) * 28 + Math.floor((p % 112) / 4)];
    }),
    channels: 3,
    depth: 8,
  });

export const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A request body as these tests build it (TypeScript's BodyInit wants ArrayBuffer-backed views). */
export type Body = string | Uint8Array | ReadableStream<Uint8Array>;
export const asBodyInit = (body: Body) => body as BodyInit;

/** The same image, as each accepted single-image request body (all lossless: same 28x28 pixels). */
export function singleImageBodies(img: Uint8Array): Record<string, { type: string; body: Body }> {
  return {
    'image/png gray 8-bit': { type: 'image/png', body: pngGray8(img) },
    'image/png gray 16-bit': { type: 'image/png', body: pngGray16(img) },
    'image/png RGB': { type: 'image/png', body: pngRgb(img) },
    'image/png RGBA': { type: 'image/png', body: pngRgba(img) },
    'application/octet-stream': { type: 'application/octet-stream', body: img },
    'application/json pixels': { type: 'application/json', body: JSON.stringify({ pixels: Array.from(img) }) },
    'application/json; charset=utf-8': {
      type: 'application/json; charset=utf-8',
      body: JSON.stringify({ pixels: Array.from(img) }),
    },
  };
}
