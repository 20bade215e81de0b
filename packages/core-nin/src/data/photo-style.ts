// A seeded test set of product-photo-like pictures made from Fashion-MNIST tiles: what a shop's photo of the same
// garment could look like (light backdrop, colour, a few hundred to a thousand pixels, off-centre, JPEG). Used by
// tests and the edge's photo-accuracy script to measure `toModelTile`'s photo conversion; not part of the data
// index (nothing on the request path needs it). Pure JS with no node:* import; one caveat: jpeg-js's encoder,
// loaded as CommonJS (as a bundler or Node loads it), returns `Buffer.from(...)`, so encodePhoto(..., 'jpeg') needs
// a global Buffer (Node has one; a Worker without nodejs_compat does not). The pictures are read back with
// decodeImage (decode-image.ts), the edge's own decoder.
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpegJs } from 'jpeg-js';
import { seededRandom } from '../stats/seeded-random.ts';
import type { RgbaImage } from './image.ts';
import { FASHION_MNIST_PIXELS, FASHION_MNIST_SIDE } from './preprocess.ts';

/** How one kind of photo is drawn: plain data, every range [min, max] drawn uniformly per picture. */
export interface PhotoVariant {
  /** short name, used as the key in results */
  readonly name: string;
  readonly description: string;
  readonly format: 'png' | 'jpeg';
  /** JPEG quality 1..100 (ignored for PNG) */
  readonly jpegQuality: number;
  /** the picture's longer side in pixels */
  readonly longSide: readonly [number, number];
  /** width / height of the picture (a value below 1 is a portrait picture) */
  readonly aspect: readonly [number, number];
  /** the garment's square (the whole enlarged tile) over the picture's shorter side */
  readonly garmentScale: readonly [number, number];
  /** 'centre': a few pixels of jitter around the middle; 'off-centre': anywhere that keeps `margin` free */
  readonly placement: 'centre' | 'off-centre';
  /** free space kept around the garment's square, as a fraction of the shorter side (off-centre placement) */
  readonly margin: number;
  /** the backdrop's gray level (255 white); a darker one is the same scene under less light */
  readonly backgroundLevel: readonly [number, number];
  /** 'gray': the garment in gray levels; 'colour': a random hue and saturation, the same lightness */
  readonly garment: 'gray' | 'colour';
  /** a cut-out: the backdrop fully transparent, the garment's coverage in alpha (PNG only) */
  readonly transparent: boolean;
  /** sensor noise: standard deviation in levels, per channel */
  readonly noise: number;
  /** uneven light: a linear ramp across the picture in a random direction, at most this many levels end to end */
  readonly gradient: number;
}

/** What the PNG variants share: a gray garment on white, no noise, even light. */
const CLEAN_PNG = {
  format: 'png',
  jpegQuality: 0,
  backgroundLevel: [255, 255],
  garment: 'gray',
  transparent: false,
  noise: 0,
  gradient: 0,
} as const satisfies Partial<PhotoVariant>;

/** What the JPEG variants share: the garment off-centre, gray unless the variant colours it. */
const CAMERA_JPEG = {
  format: 'jpeg',
  placement: 'off-centre',
  garment: 'gray',
  transparent: false,
} as const satisfies Partial<PhotoVariant>;

/**
 * The variants the photo-accuracy figures are reported for. Sizes stay at or below about 1,000 px (what a shop's
 * product picture is); the JPEG ones have the mild noise and uneven light a camera gives, kept small enough that
 * the backdrop still reads as one colour (its spread stays well inside the 5% tolerance the conversion trims by).
 */
export const PHOTO_VARIANTS: readonly PhotoVariant[] = [
  {
    ...CLEAN_PNG,
    name: 'white-png',
    description: 'gray garment on a white backdrop, 300-600 px, centred, PNG',
    longSide: [300, 600],
    aspect: [0.75, 1.33],
    garmentScale: [0.7, 0.9],
    placement: 'centre',
    margin: 0.03,
  },
  {
    ...CAMERA_JPEG,
    name: 'grey-jpeg',
    description: 'gray garment on a light-grey backdrop (level 205-240), 400-800 px, off-centre, JPEG q85',
    jpegQuality: 85,
    longSide: [400, 800],
    aspect: [0.75, 1.33],
    garmentScale: [0.55, 0.8],
    margin: 0.04,
    backgroundLevel: [205, 240],
    noise: 1.2,
    gradient: 5,
  },
  {
    ...CAMERA_JPEG,
    name: 'colour-jpeg',
    description: 'coloured garment (random hue, saturation 0.35-0.9, not light) on white, 400-800 px, JPEG q85',
    jpegQuality: 85,
    longSide: [400, 800],
    aspect: [0.75, 1.33],
    garmentScale: [0.6, 0.85],
    margin: 0.04,
    backgroundLevel: [248, 255],
    garment: 'colour',
    noise: 1,
    gradient: 3,
  },
  {
    ...CAMERA_JPEG,
    name: 'large-offcentre-jpeg',
    description: 'gray garment on a near-white backdrop, 900-1100 px, small in the picture and off-centre, JPEG q80',
    jpegQuality: 80,
    longSide: [900, 1100],
    aspect: [0.67, 1.5],
    garmentScale: [0.3, 0.6],
    margin: 0.05,
    backgroundLevel: [235, 255],
    noise: 1.5,
    gradient: 6,
  },
  {
    ...CLEAN_PNG,
    name: 'small-png',
    description: 'gray garment on white, 150-300 px, centred, PNG',
    longSide: [150, 300],
    aspect: [0.8, 1.25],
    garmentScale: [0.75, 0.92],
    placement: 'centre',
    margin: 0.02,
  },
  {
    ...CLEAN_PNG,
    name: 'cutout-png',
    description: 'cut-out garment on a transparent backdrop (coverage in alpha), 200-500 px, PNG',
    longSide: [200, 500],
    aspect: [0.8, 1.25],
    garmentScale: [0.7, 0.9],
    placement: 'off-centre',
    margin: 0.03,
    transparent: true,
  },
];

/**
 * The colour-JPEG variant as a square photo of one fixed size and quality: what the CPU-by-size measurements post
 * (the edge's photo-cpu script, the bench's 1 MP row).
 */
export function squarePhotoVariant(side: number, jpegQuality = 90): PhotoVariant {
  return {
    ...photoVariant('colour-jpeg'),
    name: `colour-jpeg-${side}`,
    description: `colour garment on a light backdrop, ${side} x ${side} px, JPEG quality ${jpegQuality}`,
    longSide: [side, side],
    aspect: [1, 1],
    jpegQuality,
  };
}

/** A variant by name; throws a RangeError naming the known ones. */
export function photoVariant(name: string): PhotoVariant {
  const variant = PHOTO_VARIANTS.find((v) => v.name === name);
  if (variant === undefined)
    throw new RangeError(`unknown photo variant "${name}"; known: ${PHOTO_VARIANTS.map((v) => v.name).join(', ')}`);
  return variant;
}

/** Catmull-Rom weights for the four taps around a sample at fractional offset t in [0, 1). */
function cubicWeights(t: number): [number, number, number, number] {
  const t2 = t * t;
  const t3 = t2 * t;
  return [(-t3 + 2 * t2 - t) / 2, (3 * t3 - 5 * t2 + 2) / 2, (-3 * t3 + 4 * t2 + t) / 2, (t3 - t2) / 2];
}

/**
 * The tile enlarged to size x size by separable Catmull-Rom interpolation (half-pixel centres, edges clamped),
 * as coverage in [0, 1]: 0 where the tile is black (backdrop), 1 where it is white (the darkest garment).
 */
function enlargeTile(tile: Uint8Array, size: number): Float32Array {
  const side = FASHION_MNIST_SIDE;
  const taps = new Int32Array(size * 4);
  const weights = new Float32Array(size * 4);
  for (let o = 0; o < size; o++) {
    const at = ((o + 0.5) * side) / size - 0.5;
    const base = Math.floor(at);
    const w = cubicWeights(at - base);
    for (let k = 0; k < 4; k++) {
      taps[o * 4 + k] = Math.min(side - 1, Math.max(0, base - 1 + k));
      weights[o * 4 + k] = w[k];
    }
  }
  const rows = new Float32Array(side * size); // horizontal pass: 28 rows of `size`
  for (let y = 0; y < side; y++)
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += tile[y * side + taps[x * 4 + k]] * weights[x * 4 + k];
      rows[y * size + x] = sum;
    }
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += rows[taps[y * 4 + k] * size + x] * weights[y * 4 + k];
      out[y * size + x] = Math.min(1, Math.max(0, sum / 255));
    }
  return out;
}

/** ITU-R 601-2 luma weights (PIL's convert('L'), rgbaToGray's). */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * An RGB colour of hue `hue` (degrees) and HSV saturation `saturation` whose luma is `luma`, or the lightest such
 * colour inside the RGB cube when that luma is out of reach (a saturated blue is at most about 50).
 */
function colourWithLuma(hue: number, saturation: number, luma: number): [number, number, number] {
  const h = (((hue % 360) + 360) % 360) / 60;
  const f = h - Math.floor(h);
  const [p, q, t] = [1 - saturation, 1 - saturation * f, 1 - saturation * (1 - f)];
  const rgb = [
    [1, t, p],
    [q, 1, p],
    [p, 1, t],
    [p, q, 1],
    [t, p, 1],
    [1, p, q],
  ][Math.floor(h) % 6];
  const unitLuma = rgb[0] * LUMA[0] + rgb[1] * LUMA[1] + rgb[2] * LUMA[2];
  const scale = Math.min(luma / unitLuma, 255);
  return [rgb[0] * scale, rgb[1] * scale, rgb[2] * scale];
}

const between = (random: () => number, [min, max]: readonly [number, number]) => min + (max - min) * random();

/**
 * A product-photo-like picture of the garment in a Fashion-MNIST tile (28x28, light garment on black), the same
 * for the same (tile, variant, seed). The tile is inverted as Fashion-MNIST's conversion negated the photos: its
 * bright garment becomes a dark garment on the light backdrop, so that the picture's gray level is
 * `backdrop x (1 - tile / 255)` (a white backdrop gives exactly 255 - tile; a grey one is the same scene under less
 * light). A colour garment keeps that gray level (luma) and gets a hue: black -> the colour -> the backdrop.
 */
export function photoStyleImage(tile: Uint8Array, variant: PhotoVariant, seed: number): RgbaImage {
  if (tile.length !== FASHION_MNIST_PIXELS)
    throw new RangeError(`a photo is made from one 28x28 tile (784 bytes), got ${tile.length} bytes`);
  const random = seededRandom(seed);
  const longSide = Math.round(between(random, variant.longSide));
  const aspect = between(random, variant.aspect);
  const width = aspect >= 1 ? longSide : Math.max(1, Math.round(longSide * aspect));
  const height = aspect >= 1 ? Math.max(1, Math.round(longSide / aspect)) : longSide;
  const short = Math.min(width, height);
  const size = Math.max(FASHION_MNIST_SIDE, Math.round(short * between(random, variant.garmentScale)));
  const margin = Math.round(short * variant.margin);
  const place = (free: number) => {
    if (variant.placement === 'centre') return Math.round(free / 2 + (random() - 0.5) * Math.min(free, 8));
    const lo = Math.min(margin, Math.floor(free / 2));
    return Math.round(lo + (free - 2 * lo) * random());
  };
  const left = place(width - size);
  const top = place(height - size);
  const background = between(random, variant.backgroundLevel);
  // the garment's colour at its darkest-but-one: luma 60..150 (not too light: a pale garment on white vanishes)
  const colour =
    variant.garment === 'colour' ? colourWithLuma(random() * 360, 0.35 + 0.55 * random(), 60 + 90 * random()) : null;
  const lc = colour ? colour[0] * LUMA[0] + colour[1] * LUMA[1] + colour[2] * LUMA[2] : 0;
  const angle = random() * 2 * Math.PI;
  const [gx, gy] = [Math.cos(angle), Math.sin(angle)];
  const span = Math.abs(gx) * width + Math.abs(gy) * height;
  const gx0 = Math.min(0, gx * width) + Math.min(0, gy * height);
  // Box-Muller pairs for the noise
  let spare: number | null = null;
  const gaussian = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const a = 2 * Math.PI * random();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };

  const coverage = enlargeTile(tile, size);
  const data = new Uint8Array(width * height * 4);
  const rgb = [0, 0, 0];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const u = x - left;
      const v = y - top;
      const m = u >= 0 && u < size && v >= 0 && v < size ? coverage[v * size + u] : 0;
      const o = (y * width + x) * 4;
      if (variant.transparent) {
        // a dark garment whose coverage is its alpha: on white it gives 255 x (1 - m), the gray garment's level
        data[o] = data[o + 1] = data[o + 2] = 0;
        data[o + 3] = Math.round(m * 255);
        continue;
      }
      const level = background * (1 - m);
      if (colour === null) {
        rgb[0] = rgb[1] = rgb[2] = level;
      } else if (level <= lc) {
        for (let c = 0; c < 3; c++) rgb[c] = (colour[c] * level) / lc;
      } else {
        const t = (level - lc) / Math.max(1e-6, background - lc);
        for (let c = 0; c < 3; c++) rgb[c] = colour[c] + (background - colour[c]) * t;
      }
      const light = variant.gradient === 0 ? 0 : variant.gradient * ((gx * x + gy * y - gx0) / span - 0.5);
      for (let c = 0; c < 3; c++) {
        const noise = variant.noise === 0 ? 0 : variant.noise * gaussian();
        data[o + c] = Math.min(255, Math.max(0, Math.round(rgb[c] + light + noise)));
      }
      data[o + 3] = 255;
    }
  return { width, height, data };
}

/**
 * The picture as a PNG (RGB when every pixel is opaque, else RGBA) or a baseline JPEG (jpeg-js, 4:2:0 chroma,
 * quality 1..100, default 90; alpha dropped).
 */
export function encodePhoto(image: RgbaImage, format: 'png' | 'jpeg', quality = 90): Uint8Array {
  const { width, height, data } = image;
  if (format === 'jpeg') {
    const encoded = encodeJpegJs({ width, height, data }, quality).data;
    return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }
  let opaque = true;
  for (let i = 3; i < data.length && opaque; i += 4) opaque = data[i] === 255;
  if (!opaque) return encodePng({ width, height, data, channels: 4, depth: 8 });
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, i = 0; p < width * height; p++, i += 4) rgb.set(data.subarray(i, i + 3), p * 3);
  return encodePng({ width, height, data: rgb, channels: 3, depth: 8 });
}

/** The photo of `tile` for `variant`, encoded in the variant's format: what a client would post. */
export function photoStyleFile(tile: Uint8Array, variant: PhotoVariant, seed: number): Uint8Array {
  return encodePhoto(photoStyleImage(tile, variant, seed), variant.format, variant.jpegQuality);
}
