// WebP: the header read before decoding (the pixel limit, animations refused), then libwebp (@jsquash/webp, in
// wasm) on the module the caller hands in: a Worker cannot compile WebAssembly from bytes. The glue loads on the
// first WebP.
import { oneInstancePerModule } from './wasm-instance.ts';
import { ImageDecodeError, ImageTooLargeError } from './image-errors.ts';
import type { RgbaImage } from './image.ts';

/** What a WebP's first chunk declares. */
export interface WebpHeader {
  readonly width: number;
  readonly height: number;
  /** VP8 (lossy), VP8L (lossless) or VP8X (extended: either, with alpha, metadata or animation) */
  readonly chunk: 'VP8 ' | 'VP8L' | 'VP8X';
  readonly animated: boolean;
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/**
 * Reads a WebP's size from its first chunk (RIFF header, then VP8, VP8L or VP8X), without touching the image
 * data. Throws ImageDecodeError for a file too short to hold one or a chunk that is not a WebP image.
 */
export function readWebpHeader(bytes: Uint8Array): WebpHeader {
  if (bytes.length < 30) throw new ImageDecodeError('truncated WebP: the file ends before its image header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunk = ascii(bytes, 12, 4);
  switch (chunk) {
    case 'VP8 ': // a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height (2 scale bits each)
      if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a)
        throw new ImageDecodeError('corrupt WebP: its VP8 chunk does not start with a key frame');
      return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff, chunk, animated: false };
    case 'VP8L': {
      // the signature 2f, then width - 1 and height - 1 in 14 bits each
      if (bytes[20] !== 0x2f) throw new ImageDecodeError('corrupt WebP: its VP8L chunk lacks the lossless signature');
      const bits = view.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, chunk, animated: false };
    }
    case 'VP8X': // flags (animation is bit 1), 3 reserved bytes, then canvas width - 1 and height - 1 in 24 bits each
      return {
        width: 1 + (view.getUint16(24, true) | (bytes[26] << 16)),
        height: 1 + (view.getUint16(27, true) | (bytes[29] << 16)),
        chunk,
        animated: (bytes[20] & 0x02) !== 0,
      };
    default:
      throw new ImageDecodeError(`unsupported WebP: its first chunk is ${JSON.stringify(chunk)}, not VP8, VP8L or VP8X`);
  }
}

/** Refuses, from the header alone, a WebP over `maxPixels` and an animated one (libwebp's still decoder would fail). */
export function checkWebp(bytes: Uint8Array, maxPixels: number): WebpHeader {
  const header = readWebpHeader(bytes);
  const { width, height } = header;
  if (width < 1 || height < 1) throw new ImageDecodeError(`unsupported WebP: its header declares ${width}x${height} pixels`);
  if (width * height > maxPixels)
    throw new ImageTooLargeError(`WebP is ${width}x${height}; at most ${maxPixels} pixels are decoded`);
  if (header.animated) throw new ImageDecodeError('unsupported WebP: an animation (send one frame as a still picture)');
  return header;
}

type WebpDecode = (bytes: Uint8Array) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
/** `@jsquash/webp/decode`'s init as its README documents it (its .d.ts lags: it omits the module argument). */
type WebpInit = (module: WebAssembly.Module) => Promise<void>;

/** libwebp, one instance per isolate from the module it was last handed. */
const libwebp = oneInstancePerModule<WebpDecode>((module) =>
  import('@jsquash/webp/decode.js').then(async (glue) => {
    await (glue.init as unknown as WebpInit)(module);
    return glue.default as unknown as WebpDecode;
  }),
);

/**
 * Decodes a lossy or lossless still WebP to 8-bit RGBA (alpha kept) with libwebp, instantiated once from
 * `module` (`@jsquash/webp/codec/dec/webp_dec.wasm`, compiled). Throws ImageTooLargeError over `maxPixels`
 * (checked on the header, before decoding) and ImageDecodeError for anything it cannot decode.
 */
export async function decodeWebp(bytes: Uint8Array, maxPixels: number, module: WebAssembly.Module): Promise<RgbaImage> {
  const { width, height } = checkWebp(bytes, maxPixels);
  const decode = await libwebp.get(module);
  let image: Awaited<ReturnType<WebpDecode>>;
  try {
    image = await decode(bytes);
  } catch {
    // libwebp says no more than that it failed (its status code does not reach JS)
    throw new ImageDecodeError('undecodable WebP: truncated or corrupt image data');
  }
  if (image.width !== width || image.height !== height)
    throw new ImageDecodeError(`corrupt WebP: decoded ${image.width}x${image.height}, its header says ${width}x${height}`);
  return { width, height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
}
