// Bodies built to hurt a server: a PNG bomb, headers that claim huge pictures, deep nesting, an endless stream.
// The bad-request tables send them; each must be refused before it costs memory or time.
import { encode } from 'fast-png';
import { EDGE_LIMITS } from '../src/limits.ts';

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
export function bigBlankPng(): Uint8Array {
  const side = Math.floor(Math.sqrt(EDGE_LIMITS.maxImagePixels * 0.6));
  bigBlank ??= encode({ width: side, height: side, data: new Uint8Array(side * side), channels: 1, depth: 8 });
  return bigBlank;
}

/** `{"pixels": [...]}` whose first pixel is an array nested `depth` deep: describing it must not overflow the stack. */
export function deeplyNestedPixels(depth: number): string {
  return `{"pixels":[${'['.repeat(depth)}${']'.repeat(depth)}${',0'.repeat(783)}]}`;
}

/** A baseline JPEG's start (SOI, then a SOF0 declaring width x height, 3 components) followed by nothing decodable. */
export function jpegHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0, 0]);
  new DataView(b.buffer).setUint16(7, height);
  new DataView(b.buffer).setUint16(9, width);
  return b;
}

/** A PNG header claiming width x height, followed by nothing decodable. */
export function pngHeader(width: number, height: number): Uint8Array {
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
