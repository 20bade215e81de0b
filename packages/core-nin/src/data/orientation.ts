import type { RgbaImage } from './image.ts';

/**
 * EXIF orientation: what the stored picture needs to stand upright. 1 nothing, 2 a left-right mirror, 3 a half
 * turn, 4 a top-bottom mirror, 5 a transpose (mirror on the main diagonal), 6 a quarter turn clockwise, 7 a
 * transverse (mirror on the other diagonal), 8 a quarter turn anticlockwise.
 */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * Where upright pixel (x, y) is in the stored picture, as `start + x * alongX + y * alongY` (in pixels) for a
 * stored picture of `w` x `h`: the inverse of the turn or flip each orientation asks for.
 */
const SOURCE_INDEX: Record<Exclude<ExifOrientation, 1>, (w: number, h: number) => [number, number, number]> = {
  2: (w) => [w - 1, -1, w], // mirrored left-right
  3: (w, h) => [h * w - 1, -1, -w], // turned half round
  4: (w, h) => [(h - 1) * w, 1, -w], // mirrored top-bottom
  5: (w) => [0, w, 1], // transposed: rows become columns
  6: (w, h) => [(h - 1) * w, -w, 1], // turned a quarter clockwise
  7: (w, h) => [h * w - 1, -w, -1], // transversed
  8: (w) => [w - 1, w, -1], // turned a quarter anticlockwise
};

/** The picture upright: its EXIF orientation undone (for 5..8 width and height swap). 1 returns it as it is. */
export function applyExifOrientation(image: RgbaImage, orientation: ExifOrientation): RgbaImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  // one RGBA pixel as one 32-bit word (a copy when the bytes are not 4-byte aligned)
  const data = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const source = new Uint32Array(data.buffer, data.byteOffset, w * h);
  const [width, height] = orientation >= 5 ? [h, w] : [w, h];
  const [start, alongX, alongY] = SOURCE_INDEX[orientation](w, h);
  const upright = new Uint32Array(width * height);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, i = start + y * alongY; x < width; x++, i += alongX) upright[o++] = source[i];
  }
  return { width, height, data: new Uint8Array(upright.buffer) };
}
