// Requests shared by the Node-side app tests and the tests inside workerd: one image in every accepted encoding,
// and the table of bad requests with the status and error code each must get.
import { encode } from 'fast-png';
import { EDGE_LIMITS } from '../src/limits.ts';

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

export interface BadRequest {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly type?: string;
  /** a function when the body is a stream (a fresh one per request) */
  readonly body?: Body | (() => Body);
  readonly status: number;
  readonly code: string;
  /**
   * Sent as a stream from inside the same isolate, workerd reports the refused upload as an uncaught "Network
   * connection lost" on the sending side; such rows run under Node and over real HTTP (test/edge-wrangler-dev.test.ts).
   */
  readonly streamed?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const pixels = (n: number, v: unknown = 0) => Array.from({ length: n }, () => v);

/** A PNG header claiming width x height, followed by nothing decodable. */
/**
 * A PNG bomb: ~8 KB whose image data inflates to 8 MiB while its header declares 1x1 (a legitimate 1 x 4M
 * gray PNG with the IHDR height patched to 1). It must be refused before the decoder inflates it.
 */
let bomb: Uint8Array | undefined;
export function pngBomb(): Uint8Array {
  if (!bomb) {
    bomb = encode({ width: 1, height: 4 * 2 ** 20, data: new Uint8Array(4 * 2 ** 20), channels: 1, depth: 8 });
    new DataView(bomb.buffer, bomb.byteOffset).setUint32(20, 1); // IHDR height
  }
  return bomb;
}

/** A black gray PNG of 0.6 x the pixel limit (a few KB): two of them in one request are over the limit together. */
let bigBlank: Uint8Array | undefined;
function bigBlankPng(): Uint8Array {
  const side = Math.floor(Math.sqrt(EDGE_LIMITS.maxImagePixels * 0.6));
  bigBlank ??= encode({ width: side, height: side, data: new Uint8Array(side * side), channels: 1, depth: 8 });
  return bigBlank;
}

/** `{"pixels": [...]}` whose first pixel is an array nested `depth` deep: describing it must not overflow the stack. */
function deeplyNestedPixels(depth: number): string {
  return `{"pixels":[${'['.repeat(depth)}${']'.repeat(depth)}${',0'.repeat(783)}]}`;
}

/** A baseline JPEG's start (SOI, then a SOF0 declaring width x height, 3 components) followed by nothing decodable. */
function jpegHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0, 0]);
  new DataView(b.buffer).setUint16(7, height);
  new DataView(b.buffer).setUint16(9, width);
  return b;
}

function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  b.set([8, 0, 0, 0, 0], 24);
  return b;
}

/**
 * A streamed body (no Content-Length) of `total` bytes, endless by default: it must be refused before it is read
 * to the end (pulls are counted).
 */
export function endlessBody(counter: { bytes: number }, total = Infinity): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      if (counter.bytes >= total) return controller.close();
      counter.bytes += 65536;
      controller.enqueue(new Uint8Array(65536));
    },
  });
}

export function badRequests(): BadRequest[] {
  const img = Array.from(syntheticImage());
  const validPng = pngGray8(syntheticImage());
  const over = EDGE_LIMITS.maxBodyBytes + 1;
  return [
    { name: 'malformed JSON', type: 'application/json', body: '{"pixels": [1, 2,', status: 400, code: 'bad_json' },
    {
      name: 'JSON that is not UTF-8',
      type: 'application/json',
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      status: 400,
      code: 'bad_json',
    },
    { name: 'JSON array at top level', type: 'application/json', body: json(img), status: 400, code: 'bad_shape' },
    {
      name: 'JSON with neither pixels nor images',
      type: 'application/json',
      body: json({ image: img }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'JSON with both pixels and images',
      type: 'application/json',
      body: json({ pixels: img, images: [img] }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'pixels not an array',
      type: 'application/json',
      body: json({ pixels: 'abc' }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'too few pixels',
      type: 'application/json',
      body: json({ pixels: pixels(783) }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'too many pixels',
      type: 'application/json',
      body: json({ pixels: pixels(785) }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'pixel above 255',
      type: 'application/json',
      body: json({ pixels: [...pixels(783), 256] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'negative pixel',
      type: 'application/json',
      body: json({ pixels: [-1, ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'NaN pixel (as JSON writes it: null)',
      type: 'application/json',
      body: json({ pixels: pixels(784, Number.NaN) }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'pixel "NaN" as a string',
      type: 'application/json',
      body: json({ pixels: [...pixels(783), 'NaN'] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'Infinity pixel (1e999)',
      type: 'application/json',
      body: `{"pixels": [1e999${', 0'.repeat(783)}]}`,
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'boolean pixel',
      type: 'application/json',
      body: json({ pixels: [true, ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'nested array pixel',
      type: 'application/json',
      body: json({ pixels: [[1], ...pixels(783)] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'pixel nested 100,000 arrays deep',
      type: 'application/json',
      body: deeplyNestedPixels(100_000),
      status: 400,
      code: 'bad_pixel',
    },
    { name: 'empty batch', type: 'application/json', body: json({ images: [] }), status: 400, code: 'bad_shape' },
    {
      name: 'batch over the maximum',
      type: 'application/json',
      body: json({ images: Array.from({ length: EDGE_LIMITS.maxBatch + 1 }, () => img) }),
      status: 400,
      code: 'batch_too_large',
    },
    {
      name: 'batch item of wrong length',
      type: 'application/json',
      body: json({ images: [img, pixels(100)] }),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'batch item with a bad pixel',
      type: 'application/json',
      body: json({ images: [{ pixels: [...pixels(783), 999] }] }),
      status: 400,
      code: 'bad_pixel',
    },
    {
      name: 'batch item of unknown shape',
      type: 'application/json',
      body: json({ images: ['hello'] }),
      status: 400,
      code: 'bad_shape',
    },
    {
      name: 'batch PNG not base64',
      type: 'application/json',
      body: json({ images: [{ png: '***' }] }),
      status: 400,
      code: 'bad_base64',
    },
    {
      name: 'batch PNG undecodable',
      type: 'application/json',
      body: json({ images: [{ png: toBase64(new Uint8Array([1, 2, 3, 4])) }] }),
      status: 400,
      code: 'undecodable_image',
    },
    { name: 'empty body', type: 'application/octet-stream', body: new Uint8Array(0), status: 400, code: 'empty_body' },
    {
      name: 'octet-stream of 783 bytes',
      type: 'application/octet-stream',
      body: new Uint8Array(783),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'octet-stream of 785 bytes',
      type: 'application/octet-stream',
      body: new Uint8Array(785),
      status: 400,
      code: 'wrong_length',
    },
    {
      name: 'PNG that is not a PNG',
      type: 'image/png',
      body: new TextEncoder().encode('GIF89a... not a png at all, sorry'),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG truncated after the header',
      type: 'image/png',
      body: validPng.subarray(0, 40),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG with a corrupt data stream',
      type: 'image/png',
      body: Uint8Array.from(validPng, (b, i) => (i > 40 && i < validPng.length - 20 ? b ^ 0x5a : b)),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG header claiming 1 x 0 pixels',
      type: 'image/png',
      body: pngHeader(1, 0),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'PNG over the pixel limit (header checked before decoding)',
      type: 'image/png',
      body: pngHeader(20000, 20000),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'PNG bomb (declares 1x1, data inflates to 8 MiB)',
      type: 'image/png',
      body: pngBomb(),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'batch whose pictures together are over the pixel limit (each alone is under it)',
      type: 'application/json',
      body: json({ images: [{ image: toBase64(bigBlankPng()) }, { image: toBase64(bigBlankPng()) }] }),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'batch PNG bomb',
      type: 'application/json',
      body: json({ images: [{ png: toBase64(pngBomb()) }] }),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'topk=0',
      path: '/predict?topk=0',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'topk=11',
      path: '/predict?topk=11',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'topk=abc',
      path: '/predict?topk=abc',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_topk',
    },
    {
      name: 'body over the limit',
      type: 'application/octet-stream',
      body: new Uint8Array(over),
      status: 413,
      code: 'body_too_large',
    },
    {
      name: 'streamed body over the limit',
      type: 'application/octet-stream',
      body: () => endlessBody({ bytes: 0 }, 2 * EDGE_LIMITS.maxBodyBytes),
      status: 413,
      code: 'body_too_large',
      streamed: true,
    },
    { name: 'no Content-Type', body: new Uint8Array(784), status: 415, code: 'unsupported_media_type' },
    {
      name: 'text/plain',
      type: 'text/plain',
      body: json({ pixels: img }),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'multipart/form-data',
      type: 'multipart/form-data; boundary=x',
      body: '--x--',
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'image/gif',
      type: 'image/gif',
      body: new TextEncoder().encode('GIF89a'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'JPEG cut after its first marker',
      type: 'image/jpeg',
      body: new Uint8Array([0xff, 0xd8, 0xff]),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'JPEG over the pixel limit (SOF checked before decoding)',
      type: 'image/jpeg',
      body: jpegHeader(20000, 20000),
      status: 400,
      code: 'image_too_large',
    },
    {
      name: 'WebP that is not a WebP',
      type: 'image/webp',
      body: new TextEncoder().encode('RIFF\x10\x00\x00\x00WEBPVP8 garbage, sorry'),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'batch picture that is text',
      type: 'application/json',
      body: json({ images: [{ image: toBase64(new TextEncoder().encode('hello, not a picture')) }] }),
      status: 400,
      code: 'undecodable_image',
    },
    {
      name: 'fit=square',
      path: '/predict?fit=square',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_fit',
    },
    {
      name: 'explain=maybe',
      path: '/predict?explain=maybe',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 400,
      code: 'bad_explain',
    },
    { name: 'GET /predict', method: 'GET', status: 405, code: 'method_not_allowed' },
    {
      name: 'PUT /predict',
      method: 'PUT',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 405,
      code: 'method_not_allowed',
    },
    { name: 'POST /health', method: 'POST', path: '/health', status: 405, code: 'method_not_allowed' },
    { name: 'DELETE /model', method: 'DELETE', path: '/model', status: 405, code: 'method_not_allowed' },
    { name: 'GET /nothing-here', method: 'GET', path: '/nothing-here', status: 404, code: 'not_found' },
    {
      name: 'POST /predict/extra',
      path: '/predict/extra',
      type: 'application/octet-stream',
      body: new Uint8Array(784),
      status: 404,
      code: 'not_found',
    },
  ];
}

/** The Request for a table row, against `base` (e.g. http://edge). */
export function requestFor(base: string, c: BadRequest): Request {
  const body = typeof c.body === 'function' ? c.body() : c.body;
  const headers = c.type ? { 'content-type': c.type } : undefined;
  return new Request(base + (c.path ?? '/predict'), {
    method: c.method ?? 'POST',
    headers,
    body: body === undefined ? undefined : asBodyInit(body),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}
