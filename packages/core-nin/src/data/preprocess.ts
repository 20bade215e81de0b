/**
 * Preprocessing shared by training, the bench and the edge: torchvision's `Resize(size)` on the 28x28 PIL image
 * followed by `ToTensor()` (d2l's `load_data_fashion_mnist(batch_size, resize=224)`).
 *
 * Resize is bilinear with half-pixel centres and edge clamping, as PIL's `Image.resize(BILINEAR)`. PIL works on
 * the 8-bit image in two passes (horizontal into an 8-bit intermediate, then vertical), each with fixed-point
 * weights (22 fractional bits) and rounding; we do exactly the same integer arithmetic, so our pixels are PIL's
 * bit for bit (the test checks this against PIL itself). For downscaling (arbitrary PNGs on the edge) PIL widens
 * the filter support to the scale, and so do we.
 */

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** fixed-point weights, PRECISION_BITS fractional bits */
  readonly weights: Int32Array;
  readonly maxTaps: number;
}

// Pillow's Resample.c: 32 bits minus 8 for the pixel value and 2 for the sign and headroom.
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** Pillow's precompute_coeffs (triangle filter) followed by normalize_coeffs_8bpc, in the same float64 steps. */
function resampleTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const inverse = 1 / filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * maxTaps);
  const w = new Float64Array(maxTaps);
  for (let x = 0; x < outSize; x++) {
    const center = (x + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let i = xmin; i < xmax; i++) {
      const t = Math.abs((i - center + 0.5) * inverse);
      w[i - xmin] = t < 1 ? 1 - t : 0;
      total += w[i - xmin];
    }
    for (let i = 0; i < xmax - xmin; i++) {
      const normalised = total !== 0 ? w[i] / total : w[i];
      weights[x * maxTaps + i] = normalised < 0 ? Math.trunc(-0.5 + normalised * ONE) : Math.trunc(0.5 + normalised * ONE);
    }
    start[x] = xmin;
    count[x] = xmax - xmin;
  }
  return { start, count, weights, maxTaps };
}

/** Pillow's clip8: the accumulator starts at half a unit, so the shift rounds to nearest. */
const clip8 = (acc: number) => (acc <= 0 ? 0 : acc >= 255 * ONE ? 255 : Math.floor(acc / ONE));

/** Resizes an 8-bit gray image (row-major) to outW x outH, exactly as PIL's `resize(BILINEAR)` on mode L. */
export function resizeGray(src: Uint8Array | Uint8ClampedArray, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  if (src.length !== inW * inH) throw new RangeError(`image has ${src.length} pixels, expected ${inW}x${inH}`);
  if (inW === outW && inH === outH) return Uint8Array.from(src);
  // PIL resamples horizontally into an intermediate 8-bit image, then vertically; a pass whose size does not
  // change is skipped (with a triangle filter it would be the identity anyway).
  let mid: Uint8Array | Uint8ClampedArray = src;
  if (inW !== outW) {
    const h = resampleTaps(inW, outW);
    const out = new Uint8Array(outW * inH);
    for (let y = 0; y < inH; y++)
      for (let x = 0; x < outW; x++) {
        let acc = ONE / 2;
        for (let k = 0; k < h.count[x]; k++) acc += src[y * inW + h.start[x] + k] * h.weights[x * h.maxTaps + k];
        out[y * outW + x] = clip8(acc);
      }
    mid = out;
  }
  if (inH === outH) return Uint8Array.from(mid);
  const v = resampleTaps(inH, outH);
  const out = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) {
      let acc = ONE / 2;
      for (let k = 0; k < v.count[y]; k++) acc += mid[(v.start[y] + k) * outW + x] * v.weights[y * v.maxTaps + k];
      out[y * outW + x] = clip8(acc);
    }
  return out;
}

export const FASHION_MNIST_SIDE = 28;
export const FASHION_MNIST_PIXELS = FASHION_MNIST_SIDE * FASHION_MNIST_SIDE;

/**
 * Turns 28x28 8-bit images into the model's NHWC float input `[n, size, size, 1]` in [0,1]: `Resize(size)` then
 * `ToTensor()`. `images` holds `n` images back to back.
 */
export function preprocessImages(images: Uint8Array, size: number): Float32Array {
  if (images.length % FASHION_MNIST_PIXELS !== 0) {
    throw new RangeError(`expected a whole number of 28x28 images, got ${images.length} bytes`);
  }
  const n = images.length / FASHION_MNIST_PIXELS;
  const out = new Float32Array(n * size * size);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS);
    const resized = resizeGray(img, FASHION_MNIST_SIDE, FASHION_MNIST_SIDE, size, size);
    const o = i * size * size;
    for (let p = 0; p < resized.length; p++) out[o + p] = resized[p] / 255;
  }
  return out;
}
