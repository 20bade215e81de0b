// What the model is given for a decoded picture: Fashion-MNIST's own 28x28 tile. A tile of the data set (light
// garment on black) is only resized; a product photo goes through the conversion Fashion-MNIST was made with.
import { rgbaToGray, type RgbaImage } from './image.ts';
import { FASHION_MNIST_SIDE, resizeGray } from './preprocess.ts';

/** How a picture becomes the model's tile: 'photo' (Fashion-MNIST's conversion), 'tile' (a resize), or chosen. */
export type ImageFit = 'auto' | 'photo' | 'tile';
export const IMAGE_FITS: readonly ImageFit[] = ['auto', 'photo', 'tile'];

export interface ModelTile {
  /** 28x28 8-bit gray, row-major (784 bytes): as Fashion-MNIST, a light garment on black */
  readonly tile: Uint8Array;
  /** the conversion applied */
  readonly fit: 'photo' | 'tile';
  /** why, in a few words (for 'auto', what in the picture decided; else that it was asked for) */
  readonly reason: string;
}

const SIDE = FASHION_MNIST_SIDE;

/**
 * The picture as the model's 28x28 tile.
 * - 'tile': the picture resized as it is (alpha on black): `resizeGray(rgbaToGray(image, 0), w, h, 28, 28)`; a 28x28
 *   gray picture comes out unchanged.
 * - 'photo': Fashion-MNIST's conversion of a product photo (see photoToTile).
 * - 'auto' (default): 'photo' when the picture's border is light, 'tile' when it is dark (see chooseFit).
 */
export function toModelTile(image: RgbaImage, fit: ImageFit = 'auto'): ModelTile {
  checkImage(image);
  const chosen = fit === 'auto' ? chooseFit(image) : { fit, reason: `${fit} asked for` };
  const tile =
    chosen.fit === 'tile'
      ? resizeGray(rgbaToGray(image, 0), image.width, image.height, SIDE, SIDE)
      : photoToTile(image);
  return { tile, fit: chosen.fit, reason: chosen.reason };
}

function checkImage({ width, height, data }: RgbaImage): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`an image needs whole positive sides, got ${width}x${height}`);
  if (data.length !== width * height * 4)
    throw new RangeError(`RGBA data has ${data.length} bytes, expected ${width}x${height}x4`);
}

/** Fashion-MNIST's trim tolerance: 5% of the largest distance in RGB space (black to white, 255 x sqrt 3). */
const TRIM_TOLERANCE = 0.05 * 255 * Math.sqrt(3);

/** The pixel composited on white (a cut-out product on a transparent background is a photo on white). */
function onWhite(data: Uint8Array, i: number, out: number[]): void {
  const a = data[i + 3];
  for (let c = 0; c < 3; c++) out[c] = a === 255 ? data[i + c] : (data[i + c] * a + 255 * (255 - a)) / 255;
}

/** The backdrop's colour: per channel, the median of the four corner pixels (one corner may be covered). */
function cornerColour(image: RgbaImage): [number, number, number] {
  const { width: w, height: h, data } = image;
  const corners = [0, w - 1, (h - 1) * w, h * w - 1].map((p) => {
    const rgb = [0, 0, 0];
    onWhite(data, p * 4, rgb);
    return rgb;
  });
  return [0, 1, 2].map((c) => {
    const v = corners.map((rgb) => rgb[c]).sort((a, b) => a - b);
    return (v[1] + v[2]) / 2;
  }) as [number, number, number];
}

/**
 * The smallest box holding every pixel farther than TRIM_TOLERANCE from `colour`; null when there is none. On the
 * request path for every photo: one pass, the composite on white inlined (no call, no array per pixel).
 */
function trimBox(
  image: RgbaImage,
  colour: readonly number[],
): { left: number; top: number; width: number; height: number } | null {
  const { width, height, data } = image;
  const limit = TRIM_TOLERANCE * TRIM_TOLERANCE;
  const [c0, c1, c2] = colour;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i += 4) {
      const a = data[i + 3];
      let r = data[i];
      let g = data[i + 1];
      let b = data[i + 2];
      if (a !== 255) {
        const w = 255 * (255 - a);
        r = (r * a + w) / 255;
        g = (g * a + w) / 255;
        b = (b * a + w) / 255;
      }
      const d = (r - c0) * (r - c0) + (g - c1) * (g - c1) + (b - c2) * (b - c2);
      if (d > limit) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * The long side a photo is first brought down to, by keeping every `factor`-th pixel of every `factor`-th row (the
 * subsampling Fashion-MNIST's README names for its resize): 8 times the tile's, so trimming is still exact to 1/8 of
 * a tile pixel and the final resize (bilinear with antialiasing) still averages about 8 x 8 pixels per tile pixel.
 * Without it the conversion's cost grew with the picture (48 ms of Worker CPU at 2048x2048, more than decoding it;
 * 21.6 ms at 1000x1000 in Node); with it, 1.8 ms at 1000x1000 and 1.4 ms at 2048x2048 in Node, and the round trip on
 * 200 test images per photo variant is as close as before (mean absolute difference 11.5-12.1 gray levels against
 * 11.9-12.4; a box average instead: 11.0-11.9, at 9.5 and 24 ms).
 */
const PHOTO_WORKING_SIDE = 8 * FASHION_MNIST_SIDE;

/** Every `factor`-th pixel of every `factor`-th row, from the middle of each factor x factor block; alpha kept. */
function subsample(image: RgbaImage, factor: number): RgbaImage {
  const { width, height, data } = image;
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Uint8Array(w * h * 4);
  const middle = factor >> 1;
  for (let y = 0, o = 0; y < h; y++) {
    const row = (y * factor + middle) * width;
    for (let x = 0; x < w; x++, o += 4) {
      const i = (row + x * factor + middle) * 4;
      out[o] = data[i];
      out[o + 1] = data[i + 1];
      out[o + 2] = data[i + 2];
      out[o + 3] = data[i + 3];
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * ImageMagick's `-sharpen 1x1.0` kernel (SharpenImage): the negated 3x3 Gaussian of sigma 1 with its centre set to
 * twice the Gaussian's sum, normalised to sum 1 (centre 1.66, sides -0.10, corners -0.06).
 */
const SHARPEN_KERNEL: Float32Array = (() => {
  const gaussian = (u: number, v: number) => Math.exp(-(u * u + v * v) / 2);
  const kernel = new Float32Array(9);
  for (let v = -1; v <= 1; v++) for (let u = -1; u <= 1; u++) kernel[(v + 1) * 3 + u + 1] = -gaussian(u, v);
  kernel[4] = -2 * kernel.reduce((s, k) => s + k, 0);
  const sum = kernel.reduce((s, k) => s + k, 0);
  return kernel.map((k) => k / sum);
})();

/**
 * Step 3, "sharpen (Gaussian, radius and sigma 1.0) with more effect near outlines": the kernel above, applied at
 * half strength where the picture is flat and up to 1.5x on the strongest outlines (Sobel gradient over its
 * largest value), edges clamped. Unclamped floats: the negation clamps once. Chosen over the kernel at full
 * strength everywhere and over no sharpening by the round trip (tile -> photo -> this conversion) on 1,500 real
 * test images of the white-png and cut-out variants: mean absolute difference to the tile 11.96 against 12.19
 * (plain) and 12.81 (none), the model's accuracy the same within 0.5 points (0.905-0.910, tiles 0.909).
 */
function sharpenNearOutlines(src: Float32Array, w: number, h: number): Float32Array {
  const at = (x: number, y: number) => src[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sharp = 0;
      for (let v = -1; v <= 1; v++)
        for (let u = -1; u <= 1; u++) sharp += at(x + u, y + v) * SHARPEN_KERNEL[(v + 1) * 3 + u + 1];
      const gx =
        at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const outline = Math.min(1, Math.hypot(gx, gy) / (4 * 255));
      const centre = src[y * w + x];
      out[y * w + x] = centre + (sharp - centre) * (0.5 + outline);
    }
  return out;
}

/**
 * Fashion-MNIST's conversion of a product photo (its README), on the picture composited on white:
 * 1. trim the edges whose colour is within 5% of the corner pixels' (distance in RGB space; nothing left: the whole
 *    picture);
 * 2. resize the longest edge to 28 (the other in proportion, at least 1 px): PIL's bilinear with antialiasing
 *    (resizeGray), not plain subsampling, which aliases a photo's fine texture; on the round trip it is as close as
 *    an area average (mean absolute difference 11.96 against 12.01 with this sharpening);
 * 3. sharpen (sharpenNearOutlines);
 * 4. extend the shortest edge to 28 with the object centred: an odd leftover pixel goes above / left, as in the data
 *    set (5,011 of the 5,036 test tiles with an odd leftover have it there);
 * 5. negate the intensities, relative to the backdrop: (backdrop - level) x 255 / backdrop, so that the backdrop
 *    becomes 0 (black) as in every Fashion-MNIST tile. On white this is 255 - level exactly; on a light-grey
 *    backdrop plain negation leaves it at 255 - backdrop (a grey tile the model never saw): 500 grey-backdrop JPEGs
 *    were right 0.506 of the time with plain negation, 0.916 with this (their tiles: 0.922). A dark backdrop (a
 *    picture forced through 'photo') keeps its polarity: level - backdrop;
 * 6. 8-bit gray.
 * A picture over PHOTO_WORKING_SIDE x 2 on its long side is first subsampled by a whole factor (subsample).
 * Steps 2-5 run on gray (luma) from the start: luma is a weighted sum with weights summing to 1, so it commutes with
 * the resize, the sharpening and the negation (up to rounding), and one channel is a third of the work.
 */
function photoToTile(picture: RgbaImage): Uint8Array {
  // never below 1 px on the short side (a 5 x 2048 strip subsampled by 9 would have no columns left)
  const factor = Math.min(
    Math.floor(Math.max(picture.width, picture.height) / PHOTO_WORKING_SIDE),
    Math.min(picture.width, picture.height),
  );
  const image = factor >= 2 ? subsample(picture, factor) : picture;
  const backdrop = cornerColour(image);
  const box = trimBox(image, backdrop) ?? { left: 0, top: 0, width: image.width, height: image.height };
  const gray = rgbaToGray(image, 255);
  const crop = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.top + y) * image.width + box.left;
    crop.set(gray.subarray(from, from + box.width), y * box.width);
  }
  const long = Math.max(box.width, box.height);
  const fitSide = (side: number) => Math.min(SIDE, Math.max(1, Math.round((side * SIDE) / long)));
  const w = fitSide(box.width);
  const h = fitSide(box.height);
  const sharp = sharpenNearOutlines(Float32Array.from(resizeGray(crop, box.width, box.height, w, h)), w, h);
  const level = luma(backdrop);
  const light = level >= 128;
  const range = Math.max(level, 255 - level); // >= 127.5
  const negate = (g: number) => Math.min(255, Math.max(0, Math.round(((light ? level - g : g - level) * 255) / range)));
  const tile = new Uint8Array(SIDE * SIDE); // the backdrop negates to 0
  const left = Math.ceil((SIDE - w) / 2);
  const top = Math.ceil((SIDE - h) / 2);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) tile[(top + y) * SIDE + left + x] = negate(sharp[y * w + x]);
  return tile;
}

const luma = (rgb: readonly number[]) => rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114;

/**
 * 'photo' or 'tile' from the picture's outermost ring of pixels and its corners (the conversion's backdrop):
 * - mostly transparent ring: a cut-out; 'photo' (on white) unless what is opaque is light (a light drawing meant
 *   for the black background: 'tile');
 * - light ring (median luma >= 128) and light corners: a photo on a light backdrop;
 * - otherwise 'tile': the data set's own tiles are light garments on black. All 10,000 test tiles and all 60,000
 *   training tiles are judged 'tile' (two bags fill their training tiles so that most of the ring is light; their
 *   corners are dark).
 */
function chooseFit(image: RgbaImage): { fit: 'photo' | 'tile'; reason: string } {
  const { width: w, height: h, data } = image;
  const ring: number[] = [];
  for (let x = 0; x < w; x++) ring.push(x, (h - 1) * w + x);
  for (let y = 1; y < h - 1; y++) ring.push(y * w, y * w + w - 1);
  const pixelLuma = (p: number) => luma([data[p * 4], data[p * 4 + 1], data[p * 4 + 2]]);
  const transparent = ring.filter((p) => data[p * 4 + 3] < 128).length;
  if (transparent * 2 > ring.length) {
    // the opaque pixels' median luma from a 256-bin histogram: one pass, nothing allocated per pixel (a 2048 x 2048
    // picture with a transparent border cost 0.3 s and 43 MB per megapixel as an array sorted)
    const histogram = new Uint32Array(256);
    let opaque = 0;
    for (let i = 0; i < w * h * 4; i += 4)
      if (data[i + 3] >= 128) {
        histogram[Math.round(luma([data[i], data[i + 1], data[i + 2]]))]++;
        opaque++;
      }
    let content = 0;
    for (let seen = 0; content < 255 && (seen += histogram[content]) * 2 < opaque; ) content++;
    return opaque > 0 && content >= 128
      ? { fit: 'tile', reason: `light drawing (median luma ${Math.round(content)}) on a transparent border` }
      : { fit: 'photo', reason: 'a cut-out on a transparent border' };
  }
  const border = Math.round(median(ring.map(pixelLuma)));
  const corners = Math.round(luma(cornerColour(image)));
  if (border < 128) return { fit: 'tile', reason: `dark border (median luma ${border})` };
  if (corners < 128) return { fit: 'tile', reason: `dark corners (luma ${corners}) in a light border` };
  return { fit: 'photo', reason: `light border (median luma ${border}, corners ${corners})` };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

