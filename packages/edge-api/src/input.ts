import {
  FASHION_MNIST_PIXELS,
  FASHION_MNIST_SIDE,
  ImageDecodeError,
  ImageTooLargeError,
  toModelTile,
  type ImageFit,
  type RgbaImage,
} from '@nin-bench/core-nin/data';
import { IMAGE_MEDIA_TYPES, decodeImage, type ImageDecoderWasm } from '@nin-bench/core-nin/data/decode-image';
import { RequestError, badRequest } from './errors.ts';
import type { EdgeLimits } from './limits.ts';

/** What one input was and what the model was given for it (the answer says it). */
export interface InputFacts {
  /** png | jpeg | webp, or pixels (784 raw bytes or a JSON pixel array: already a 28x28 tile) */
  readonly format: 'png' | 'jpeg' | 'webp' | 'pixels';
  readonly width: number;
  readonly height: number;
  /** the EXIF orientation applied (1: none) */
  readonly orientation: number;
  /** photo: Fashion-MNIST's conversion of a product photo; tile: resized as a 28x28 data-set tile */
  readonly fit: 'photo' | 'tile';
  /** why `fit=auto` chose it, or that the client asked for it */
  readonly fitReason: string;
}

/** 28x28 8-bit gray images, back to back, as the model's preprocessing takes them, with what each was. */
export interface ParsedImages {
  readonly images: Uint8Array;
  readonly count: number;
  /** whether the request was a `{"images": [...]}` batch (the answer is then a list) */
  readonly batch: boolean;
  readonly inputs: readonly InputFacts[];
  /** decoding the pictures (PNG, JPEG, WebP; 0 for raw pixels) */
  readonly decodeMs: number;
  /** turning each decoded picture into the 28x28 tile (Fashion-MNIST's conversion or a resize) */
  readonly tileMs: number;
}

export interface ReadImagesOptions {
  readonly limits: Pick<EdgeLimits, 'maxBatch' | 'maxImagePixels'>;
  readonly fit: ImageFit;
  /** the wasm decoders' modules (a Worker hands in what wrangler compiled; Node callers pass nodeImageDecoderWasm()) */
  readonly wasm?: ImageDecoderWasm;
  readonly now: () => number;
}

export const ACCEPTED_TYPES = [...IMAGE_MEDIA_TYPES, 'application/octet-stream', 'application/json'] as const;
const isImageType = (type: string) => (IMAGE_MEDIA_TYPES as readonly string[]).includes(type);

/** `image/PNG; foo=bar` -> `image/png`; null when there is no header. */
export function mediaType(header: string | null): string | null {
  if (header === null) return null;
  return header.split(';', 1)[0].trim().toLowerCase();
}

/** The `?fit=` query: auto (the default), photo or tile. */
export function parseFit(text: string | undefined): ImageFit {
  if (text === undefined || text === '') return 'auto';
  if (text === 'auto' || text === 'photo' || text === 'tile') return text;
  throw badRequest('bad_fit', `fit must be auto, photo or tile, got ${JSON.stringify(text.slice(0, 40))}`);
}

/** One input before it becomes a tile: a picture to decode, or 28x28 gray pixels. */
type RawInput = { readonly encoded: Uint8Array; readonly where: string } | { readonly pixels: Uint8Array };

/**
 * Reads a `/predict` body (already bounded by the body-size limit) into 28x28 gray images: pictures are decoded
 * (the format from their bytes, whatever image type the header named) and converted as `fit` says.
 */
export async function readImages(request: Request, options: ReadImagesOptions): Promise<ParsedImages> {
  const type = mediaType(request.headers.get('content-type'));
  if (type === null || !(ACCEPTED_TYPES as readonly string[]).includes(type)) {
    throw new RequestError(
      415,
      'unsupported_media_type',
      `Content-Type ${type ?? '(none)'} is not accepted: send one of ${ACCEPTED_TYPES.join(', ')}`,
    );
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length === 0) throw badRequest('empty_body', 'the request body is empty');
  let raw: RawInput[];
  let batch = false;
  if (isImageType(type)) raw = [{ encoded: body, where: 'the body' }];
  else if (type === 'application/octet-stream') {
    if (body.length !== FASHION_MNIST_PIXELS) {
      throw badRequest(
        'wrong_length',
        `an octet-stream body must be exactly ${FASHION_MNIST_PIXELS} bytes (28x28 gray, row-major), got ${body.length}`,
      );
    }
    raw = [{ pixels: body }];
  } else ({ raw, batch } = jsonInputs(parseJson(body), options.limits));
  return toTiles(raw, batch, options);
}

async function toTiles(raw: RawInput[], batch: boolean, options: ReadImagesOptions): Promise<ParsedImages> {
  const images = new Uint8Array(raw.length * FASHION_MNIST_PIXELS);
  const inputs: InputFacts[] = [];
  let decodeMs = 0;
  let tileMs = 0;
  // The pictures of one request share one pixel budget: a batch of 16 small files that each declare 2048 x 2048
  // would otherwise cost 16 full decodes (seconds of CPU) in one request.
  let pixelsLeft = options.limits.maxImagePixels;
  for (const [i, input] of raw.entries()) {
    const t0 = options.now();
    let picture: RgbaImage;
    let facts: Pick<InputFacts, 'format' | 'orientation'>;
    if ('pixels' in input) {
      picture = grayToRgba(input.pixels);
      facts = { format: 'pixels', orientation: 1 };
    } else {
      const decoded = await decode(input.encoded, input.where, options, pixelsLeft);
      pixelsLeft -= decoded.width * decoded.height;
      picture = decoded;
      facts = { format: decoded.format, orientation: decoded.orientation };
    }
    const t1 = options.now();
    const tile = toModelTile(picture, options.fit);
    const t2 = options.now();
    images.set(tile.tile, i * FASHION_MNIST_PIXELS);
    inputs.push({ ...facts, width: picture.width, height: picture.height, fit: tile.fit, fitReason: tile.reason });
    decodeMs += t1 - t0;
    tileMs += t2 - t1;
  }
  return { images, count: raw.length, batch, inputs, decodeMs, tileMs };
}

/** A 28x28 gray tile as an opaque RGBA picture (so that every input takes the same way to the model). */
function grayToRgba(gray: Uint8Array): RgbaImage {
  const data = new Uint8Array(gray.length * 4);
  for (let p = 0; p < gray.length; p++) {
    data[4 * p] = data[4 * p + 1] = data[4 * p + 2] = gray[p];
    data[4 * p + 3] = 255;
  }
  return { width: FASHION_MNIST_SIDE, height: FASHION_MNIST_SIDE, data };
}

function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw badRequest('bad_json', 'the JSON body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest('bad_json', `malformed JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonInputs(json: unknown, limits: Pick<EdgeLimits, 'maxBatch'>): { raw: RawInput[]; batch: boolean } {
  if (!isObject(json) || 'pixels' in json === 'images' in json) {
    throw badRequest(
      'bad_shape',
      'send {"pixels": [784 numbers 0..255]} for one image or {"images": [...]} for a batch',
    );
  }
  if ('pixels' in json) return { raw: [{ pixels: pixelsToImage(json.pixels, 'pixels') }], batch: false };
  const list = json.images;
  if (!Array.isArray(list) || list.length === 0) throw badRequest('bad_shape', '"images" must be a non-empty array');
  if (list.length > limits.maxBatch)
    throw badRequest('batch_too_large', `"images" holds ${list.length} images; at most ${limits.maxBatch} per request`);
  return { raw: list.map((item, i) => batchItem(item, `images[${i}]`)), batch: true };
}

/** A batch element: `[784 numbers]`, `{"pixels": [...]}`, or a picture in base64: `{"image": ...}` (or `{"png": ...}`). */
function batchItem(item: unknown, where: string): RawInput {
  if (Array.isArray(item)) return { pixels: pixelsToImage(item, where) };
  if (isObject(item) && 'pixels' in item) return { pixels: pixelsToImage(item.pixels, `${where}.pixels`) };
  for (const key of ['image', 'png'] as const)
    if (isObject(item) && typeof item[key] === 'string')
      return { encoded: base64ToBytes(item[key], `${where}.${key}`), where: `${where}.${key}` };
  throw badRequest(
    'bad_shape',
    `${where} must be an array of ${FASHION_MNIST_PIXELS} numbers, {"pixels": [...]} or {"image": "<base64 PNG, JPEG or WebP>"}`,
  );
}

function pixelsToImage(pixels: unknown, where: string): Uint8Array {
  if (!Array.isArray(pixels))
    throw badRequest('bad_shape', `${where} must be an array of ${FASHION_MNIST_PIXELS} numbers`);
  if (pixels.length !== FASHION_MNIST_PIXELS) {
    throw badRequest('wrong_length', `${where} has ${pixels.length} values; a 28x28 image has ${FASHION_MNIST_PIXELS}`);
  }
  const out = new Uint8Array(FASHION_MNIST_PIXELS);
  for (let i = 0; i < pixels.length; i++) {
    const v: unknown = pixels[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 255) {
      throw badRequest('bad_pixel', `${where}[${i}] is ${describeValue(v)}: each pixel must be a number from 0 to 255`);
    }
    out[i] = Math.round(v);
  }
  return out;
}

/** A short description of a JSON value for an error message: never serialised whole (it may be huge or deeply nested). */
function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.length > 20 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : typeof v;
}

function base64ToBytes(text: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw badRequest('bad_base64', `${where} is not valid base64`);
  }
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * Decodes a PNG, JPEG or WebP with the core's decoders, which refuse, before decoding, a picture over `pixelsLeft`
 * (what the request's pixel budget has left; its header says how many it holds) and a PNG whose data inflates beyond
 * its declared size (a few KiB of deflate can expand to gigabytes, and a Worker has 128 MB). Every decoder failure is
 * the client's: a 400 with its reason.
 */
async function decode(bytes: Uint8Array, where: string, options: ReadImagesOptions, pixelsLeft: number) {
  const { maxImagePixels } = options.limits;
  try {
    if (pixelsLeft <= 0) throw new ImageTooLargeError("no pixels left of the request's budget");
    return await decodeImage(bytes, { maxPixels: pixelsLeft, wasm: options.wasm });
  } catch (e) {
    if (e instanceof ImageTooLargeError && pixelsLeft < maxImagePixels)
      throw badRequest(
        'image_too_large',
        `${where}: the pictures of one request may hold ${maxImagePixels} pixels together (${e.message})`,
      );
    if (e instanceof ImageTooLargeError) throw badRequest('image_too_large', `${where}: ${e.message}`);
    if (e instanceof ImageDecodeError) throw badRequest('undecodable_image', `${where}: ${e.message}`);
    throw e;
  }
}
