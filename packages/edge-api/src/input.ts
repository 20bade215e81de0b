import { FASHION_MNIST_PIXELS, ImageTooLargeError, decodePngToGray28 } from '@nin-bench/core-nin/data';
import { RequestError, badRequest } from './errors.ts';
import type { EdgeLimits } from './limits.ts';

/** 28x28 8-bit gray images, back to back, as the model's preprocessing takes them. */
export interface ParsedImages {
  readonly images: Uint8Array;
  readonly count: number;
  /** whether the request was a `{"images": [...]}` batch (the answer is then a list) */
  readonly batch: boolean;
}

export const ACCEPTED_TYPES = ['image/png', 'application/octet-stream', 'application/json'] as const;

/** `image/PNG; foo=bar` -> `image/png`; null when there is no header. */
export function mediaType(header: string | null): string | null {
  if (header === null) return null;
  return header.split(';', 1)[0].trim().toLowerCase();
}

/** Reads a `/predict` body (already bounded by the body-size limit) into 28x28 gray images. */
export async function readImages(
  request: Request,
  limits: Pick<EdgeLimits, 'maxBatch' | 'maxPngPixels'>,
): Promise<ParsedImages> {
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
  switch (type) {
    case 'image/png':
      return { images: pngToGray28(body, limits.maxPngPixels, 'the body'), count: 1, batch: false };
    case 'application/octet-stream':
      if (body.length !== FASHION_MNIST_PIXELS) {
        throw badRequest(
          'wrong_length',
          `an octet-stream body must be exactly ${FASHION_MNIST_PIXELS} bytes (28x28 gray, row-major), got ${body.length}`,
        );
      }
      return { images: body, count: 1, batch: false };
    default:
      return jsonToImages(parseJson(body), limits);
  }
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

function jsonToImages(json: unknown, limits: Pick<EdgeLimits, 'maxBatch' | 'maxPngPixels'>): ParsedImages {
  if (!isObject(json) || 'pixels' in json === 'images' in json) {
    throw badRequest(
      'bad_shape',
      'send {"pixels": [784 numbers 0..255]} for one image or {"images": [...]} for a batch',
    );
  }
  if ('pixels' in json) return { images: pixelsToImage(json.pixels, 'pixels'), count: 1, batch: false };
  const list = json.images;
  if (!Array.isArray(list) || list.length === 0) throw badRequest('bad_shape', '"images" must be a non-empty array');
  if (list.length > limits.maxBatch)
    throw badRequest('batch_too_large', `"images" holds ${list.length} images; at most ${limits.maxBatch} per request`);
  const images = new Uint8Array(list.length * FASHION_MNIST_PIXELS);
  list.forEach((item, i) =>
    images.set(batchItemToImage(item, `images[${i}]`, limits.maxPngPixels), i * FASHION_MNIST_PIXELS),
  );
  return { images, count: list.length, batch: true };
}

/** A batch element: `[784 numbers]`, `{"pixels": [...]}` or `{"png": "<base64>"}`. */
function batchItemToImage(item: unknown, where: string, maxPngPixels: number): Uint8Array {
  if (Array.isArray(item)) return pixelsToImage(item, where);
  if (isObject(item) && 'pixels' in item) return pixelsToImage(item.pixels, `${where}.pixels`);
  if (isObject(item) && typeof item.png === 'string')
    return pngToGray28(base64ToBytes(item.png, `${where}.png`), maxPngPixels, `${where}.png`);
  throw badRequest(
    'bad_shape',
    `${where} must be an array of ${FASHION_MNIST_PIXELS} numbers, {"pixels": [...]} or {"png": "<base64>"}`,
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
 * Decodes a PNG (any bit depth and colour type) to 28x28 gray with the core's decoder, which refuses, before
 * inflating it, an image over `maxPixels` or whose data inflates beyond its declared size (a few KiB of deflate
 * can expand to gigabytes, and a Worker has 128 MB).
 */
function pngToGray28(bytes: Uint8Array, maxPixels: number, where: string): Uint8Array {
  try {
    return decodePngToGray28(bytes, { maxPixels });
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw badRequest('image_too_large', `${where}: ${e.message}`);
    throw badRequest('undecodable_png', `${where}: ${(e as Error).message}`);
  }
}
