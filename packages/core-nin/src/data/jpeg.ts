// JPEG: the frame header read before decoding (the pixel limit and the variants the decoder does not take), then
// mozjpeg (@jsquash/jpeg, in wasm) on the module the caller hands in (a Worker cannot compile WebAssembly from
// bytes), then the EXIF orientation applied so the picture stands upright. The glue and the EXIF parser load on
// the first JPEG.
import { oneInstancePerModule } from './wasm-instance.ts';
import { ImageDecodeError, ImageTooLargeError } from './image-errors.ts';
import type { RgbaImage } from './image.ts';
import { applyExifOrientation, type ExifOrientation } from './orientation.ts';

/** What a JPEG's frame header (its SOFn marker segment) declares. */
export interface JpegFrameHeader {
  readonly width: number;
  readonly height: number;
  /** bits per sample: 8 in every camera JPEG; 12 and 16 exist */
  readonly precision: number;
  /** 1 gray, 3 YCbCr (or RGB), 4 CMYK or YCCK */
  readonly components: number;
  /** the SOFn marker's second byte, 0xc0..0xcf: the coding process */
  readonly marker: number;
  /** where the frame header ends: the image data (and its end-of-image marker) come after it */
  readonly end: number;
}

/** The coding process of each SOFn marker (0xc4, 0xc8 and 0xcc are other markers). */
const SOF_PROCESSES: Readonly<Record<number, string>> = {
  0xc0: 'baseline',
  0xc1: 'extended sequential',
  0xc2: 'progressive',
  0xc3: 'lossless',
  0xc5: 'hierarchical sequential',
  0xc6: 'hierarchical progressive',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic-coded sequential',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'hierarchical arithmetic-coded sequential',
  0xce: 'hierarchical arithmetic-coded progressive',
  0xcf: 'hierarchical arithmetic-coded lossless',
};

/**
 * The processes the decoder takes: Huffman-coded baseline, extended and progressive DCT (@jsquash/jpeg's mozjpeg
 * is built without arithmetic coding: its encoder answers "arithmetic coding is not implemented").
 */
const DECODED_PROCESSES = new Set([0xc0, 0xc1, 0xc2]);

const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;

/**
 * Walks a JPEG's marker segments up to its frame header, without touching the image data. Throws
 * ImageDecodeError for a file that ends first or whose segments are not markers.
 */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader {
  const truncated = () => new ImageDecodeError('truncated JPEG: the file ends before its frame header');
  let at = 2; // after the start-of-image marker
  for (;;) {
    if (at >= bytes.length) throw truncated();
    if (bytes[at] !== 0xff) throw new ImageDecodeError(`corrupt JPEG: no marker at byte ${at}, before its frame header`);
    while (bytes[at] === 0xff) at++; // a marker may be preceded by fill bytes
    if (at >= bytes.length) throw truncated();
    const marker = bytes[at++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM and RSTn: no segment
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE || marker === 0xd8 || marker === 0x00)
      throw new ImageDecodeError('corrupt JPEG: no frame header (SOF marker) before its image data');
    if (at + 2 > bytes.length) throw truncated();
    const length = (bytes[at] << 8) | bytes[at + 1];
    if (length < 2) throw new ImageDecodeError(`corrupt JPEG: a marker segment of ${length} bytes at byte ${at}`);
    if (marker in SOF_PROCESSES) {
      if (length < 8 || at + 8 > bytes.length) throw truncated();
      return {
        precision: bytes[at + 2],
        height: (bytes[at + 3] << 8) | bytes[at + 4],
        width: (bytes[at + 5] << 8) | bytes[at + 6],
        components: bytes[at + 7],
        marker,
        end: at + length,
      };
    }
    at += length;
  }
}

/**
 * Refuses, from the frame header alone, what would cost memory or be decoded wrongly: more than `maxPixels`,
 * a height left to a later DNL marker, a coding process or precision the decoder does not take, and a file cut
 * short (no end-of-image marker after the frame header: decoders fill a missing tail with gray instead of failing).
 */
export function checkJpeg(bytes: Uint8Array, maxPixels: number): JpegFrameHeader {
  const frame = readJpegFrameHeader(bytes);
  const { width, height, precision, components, marker } = frame;
  if (width < 1 || height < 1)
    throw new ImageDecodeError(`unsupported JPEG: its frame header declares ${width}x${height} pixels`);
  if (width * height > maxPixels)
    throw new ImageTooLargeError(`JPEG is ${width}x${height}; at most ${maxPixels} pixels are decoded`);
  if (!DECODED_PROCESSES.has(marker))
    throw new ImageDecodeError(`unsupported JPEG: ${SOF_PROCESSES[marker]} coding (baseline and progressive are decoded)`);
  if (precision !== 8) throw new ImageDecodeError(`unsupported JPEG: ${precision}-bit samples (8-bit are decoded)`);
  // mozjpeg cannot turn CMYK or YCCK into RGBA (libjpeg "Unsupported color conversion request"); no camera writes them
  if (components === 4) throw new ImageDecodeError('unsupported JPEG: CMYK or YCCK colour (gray and colour are decoded)');
  if (components !== 1 && components !== 3)
    throw new ImageDecodeError(`unsupported JPEG: ${components} colour components (gray and colour are decoded)`);
  if (!hasEndOfImage(bytes, frame.end)) throw new ImageDecodeError('truncated JPEG: no end-of-image marker');
  return frame;
}

/**
 * Whether an end-of-image marker (FF D9) follows `from`. Entropy-coded data never holds one (an FF there is
 * followed by 00 or a restart marker), so one after the frame header ends the image; bytes may trail it.
 */
function hasEndOfImage(bytes: Uint8Array, from: number): boolean {
  for (let at = bytes.lastIndexOf(END_OF_IMAGE); at > from; at = bytes.lastIndexOf(END_OF_IMAGE, at - 1)) {
    if (bytes[at - 1] === 0xff) return true;
  }
  return false;
}

/**
 * The EXIF orientation (1..8) of a JPEG, 1 when it has none or an unreadable one (a viewer shows such a picture
 * as stored). exifr's mini build: only the EXIF reader (32 KB minified, 9 KB gzipped), no node:* import.
 */
export async function readJpegOrientation(bytes: Uint8Array): Promise<ExifOrientation> {
  const { orientation } = await import('exifr/dist/mini.esm.mjs');
  const value = await orientation(bytes).catch(() => undefined);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 8 ? (value as ExifOrientation) : 1;
}

export interface DecodedJpeg extends RgbaImage {
  /** the EXIF orientation that was applied (1: none) */
  readonly orientation: ExifOrientation;
}

/** mozjpeg's decoder as @jsquash/jpeg's emscripten glue builds it (its .d.ts types it with a global it lacks). */
interface MozJpegDecoder {
  decode(data: Uint8Array, applyOrientation: boolean): { width: number; height: number; data: Uint8ClampedArray } | null;
}
type EmscriptenFactory = (options: object) => Promise<MozJpegDecoder>;
type InitEmscriptenModule = (factory: EmscriptenFactory, module: WebAssembly.Module, options: object) => Promise<MozJpegDecoder>;

/** What libjpeg printed during the decode in progress: its warnings and, before it exits, its error message. */
let printed: string[] = [];

/** mozjpeg, one instance per isolate from the module it was last handed. */
// mozjpeg, not jpeg-js: workerd CPU/decode, q90 1 MP base|prog 9.0|14.3 ms vs 33.2|44.2; 0.25 MP 2.5|4.0 vs 9.0|11.2
const mozjpeg = oneInstancePerModule<MozJpegDecoder>((module) =>
  Promise.all([import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js'), import('@jsquash/jpeg/utils.js')]).then(
    ([glue, utils]) =>
      (utils.initEmscriptenModule as unknown as InitEmscriptenModule)(glue.default as unknown as EmscriptenFactory, module, {
        print: (line: string) => printed.push(line),
        printErr: (line: string) => printed.push(line),
      }),
  ),
);

/**
 * Decodes a baseline or progressive JPEG (gray or colour) to 8-bit RGBA with mozjpeg, instantiated once from
 * `module` (`@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm`, compiled), upright: its EXIF orientation applied (for
 * 5..8 width and height swap). Throws ImageTooLargeError over `maxPixels` (checked on the frame header, before
 * decoding) and ImageDecodeError for anything it cannot decode, with libjpeg's reason.
 */
export async function decodeJpeg(bytes: Uint8Array, maxPixels: number, module: WebAssembly.Module): Promise<DecodedJpeg> {
  const { width, height } = checkJpeg(bytes, maxPixels);
  const [decoder, orientation] = await Promise.all([mozjpeg.get(module), readJpegOrientation(bytes)]);
  let image: ReturnType<MozJpegDecoder['decode']>;
  printed = [];
  try {
    // false: the pixels as stored; the orientation is applied below, from exifr's reading (the one reported)
    image = decoder.decode(bytes, false);
  } catch (e) {
    // libjpeg's errors exit the program, which may leave what it allocated in the instance's memory: the next JPEG
    // gets a fresh instance (from the same compiled module)
    mozjpeg.forget(module);
    throw new ImageDecodeError(`undecodable JPEG: ${printed.at(-1) ?? (e as Error).message}`);
  }
  if (!image) throw new ImageDecodeError(`undecodable JPEG: ${printed.at(-1) ?? 'mozjpeg failed'}`);
  if (image.width !== width || image.height !== height)
    throw new ImageDecodeError(`corrupt JPEG: decoded ${image.width}x${image.height}, its header says ${width}x${height}`);
  const rgba = { width, height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
  return { ...applyExifOrientation(rgba, orientation), orientation };
}
