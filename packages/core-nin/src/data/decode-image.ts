// One entry for every picture the edge accepts: PNG, JPEG or WebP, told apart by their first bytes (never by a
// Content-Type), each refused over the pixel limit from its header before anything is decoded. Worker-safe; the
// JPEG and WebP decoders load on the first picture of their format, so importing this module costs nothing more.
import { ImageDecodeError } from './image-errors.ts';
import type { RgbaImage } from './image.ts';
import { decodeJpeg } from './jpeg.ts';
import type { ExifOrientation } from './orientation.ts';
export type { ExifOrientation } from './orientation.ts';
import { decodePng } from './png.ts';
import { decodeWebp } from './webp.ts';

/** The formats decodeImage reads, and the media type each is accepted as. */
export const IMAGE_FORMATS = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
export type ImageFormat = keyof typeof IMAGE_FORMATS;
/** What an API or page lists as accepted: image/png, image/jpeg, image/webp. */
export const IMAGE_MEDIA_TYPES: readonly (typeof IMAGE_FORMATS)[ImageFormat][] = Object.values(IMAGE_FORMATS);

/**
 * The compiled WebAssembly modules the wasm decoders run on. A Worker entry imports them (wrangler compiles each
 * `.wasm` import to a module: `import webp from '@jsquash/webp/codec/dec/webp_dec.wasm'`); Node code gets them
 * from `nodeImageDecoderWasm()` (core-nin/src/node/image-decoder-wasm.ts).
 */
export interface ImageDecoderWasm {
  /** `@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm`: mozjpeg's decoder */
  readonly jpeg?: WebAssembly.Module;
  /** `@jsquash/webp/codec/dec/webp_dec.wasm`: libwebp's decoder */
  readonly webp?: WebAssembly.Module;
}

export interface DecodeImageOptions {
  /** most pixels (width x height, as the header declares them) to decode; default 4096 x 4096 */
  readonly maxPixels?: number;
  /** the wasm decoders' modules: a JPEG needs `jpeg`, a WebP `webp` */
  readonly wasm?: ImageDecoderWasm;
}

/** A decoded picture: 8-bit RGBA, upright. */
export interface DecodedImage extends RgbaImage {
  readonly format: ImageFormat;
  /** the EXIF orientation (1..8) that was applied to make it upright; 1: none (always, for PNG and WebP) */
  readonly orientation: ExifOrientation;
}

const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** The format a picture's first bytes (its magic number) say it is, if one decodeImage reads. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const starts = (at: number, signature: readonly number[]) => signature.every((b, i) => bytes[at + i] === b);
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50])) return 'webp'; // RIFF....WEBP
  return undefined;
}

/**
 * Decodes a PNG (any bit depth and colour type), a JPEG (baseline or progressive; its EXIF orientation applied)
 * or a WebP (lossy or lossless, still; alpha kept) to upright 8-bit RGBA. The format comes from the bytes.
 * Throws ImageTooLargeError for a picture whose header declares more than `maxPixels`, before decoding it, and
 * ImageDecodeError for anything else it cannot decode, with the reason (unknown format, truncated, corrupt,
 * unsupported variant). A JPEG or WebP without its module in `options.wasm` is the caller's mistake: a TypeError.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const format = sniffImageFormat(bytes);
  switch (format) {
    case 'png':
      return { ...decodePng(bytes, { maxPixels }), format, orientation: 1 };
    case 'jpeg':
      return { ...(await decodeJpeg(bytes, maxPixels, decoderWasm(options, 'jpeg'))), format };
    case 'webp':
      return { ...(await decodeWebp(bytes, maxPixels, decoderWasm(options, 'webp'))), format, orientation: 1 };
    default:
      throw new ImageDecodeError(`not a picture this decodes: accepted are ${IMAGE_MEDIA_TYPES.join(', ')}`);
  }
}

function decoderWasm(options: DecodeImageOptions, format: keyof ImageDecoderWasm): WebAssembly.Module {
  const module = options.wasm?.[format];
  if (!module) throw new TypeError(`decodeImage: a ${format.toUpperCase()} needs options.wasm.${format}, its decoder's compiled module`);
  return module;
}
